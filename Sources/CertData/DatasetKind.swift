import CertShape

/// The datasets the paper uses, with their input shapes, class names and the folder
/// names they go by in a `data/` tree (matched case-insensitively).
public enum DatasetKind: String, Sendable, CaseIterable {
    /// MNIST, Fashion-MNIST, CIFAR-10, and dogs vs cats (the paper's ImageNet subset).
    case mnist, fashion, cifar, dogscats

    /// Fashion-MNIST's class names; index = label.
    public static let fashionClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Accepts the CLI's spellings: mnist; fashion, fashion-mnist; cifar, cifar10, cifar-10;
    /// imagenet, dogscats, dogs-cats (the paper keeps dogs/cats under data/ImageNet).
    public init?(name: String) {
        switch name.lowercased() {
        case "mnist": self = .mnist
        case "fashion", "fashion-mnist", "fashionmnist", "fashion_mnist": self = .fashion
        case "cifar", "cifar10", "cifar-10": self = .cifar
        case "imagenet", "dogscats", "dogs-cats", "dogs_cats", "dogsvscats", "dogs-vs-cats": self = .dogscats
        default: return nil
        }
    }

    /// The images' CHW shape: 1×28×28, 3×32×32 or 3×224×224.
    public var shape: ImageShape {
        switch self {
        case .mnist, .fashion: return ImageShape(channels: 1, height: 28, width: 28)
        case .cifar: return CIFAR10Reader.shape
        case .dogscats: return ImageShape(channels: 3, height: 224, width: 224)
        }
    }

    /// Fixed class names, or nil when they come from the folder names (dogs/cats).
    public var classes: [String]? {
        switch self {
        case .mnist: return MNISTCSV.digitClasses
        case .fashion: return Self.fashionClasses
        case .cifar: return CIFAR10Reader.classes
        case .dogscats: return nil
        }
    }

    /// Folder names under `data/` (the authors' README: data/MNIST, data/Cifar, data/ImageNet).
    var folderNames: [String] {
        switch self {
        case .mnist: return ["mnist"]
        case .fashion: return ["fashionmnist", "fashion-mnist", "fashion_mnist", "fashion"]
        case .cifar: return ["cifar", "cifar10", "cifar-10"]
        case .dogscats: return ["imagenet", "dogscats", "dogs-cats", "dogs_cats", "dogs-vs-cats"]
        }
    }
}
