"""certssb's mnist-cnn in PyTorch (Sources/CertCore/Architectures/Architecture.swift):
conv5-relu-pool, conv5-relu-pool, fc, fc. Shared by the PyTorch comparison scripts."""
import torch.nn as nn
import torch.nn.functional as F


class MnistCNN(nn.Module):
    """The parameter names match certssb's safetensors files (conv1, conv2, fc, output)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5)
        self.conv2 = nn.Conv2d(16, 32, 5)
        self.fc = nn.Linear(512, 512)
        self.output = nn.Linear(512, 1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.output(F.relu(self.fc(x.flatten(1))))
