// TorchImport
