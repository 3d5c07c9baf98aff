// CertCore
