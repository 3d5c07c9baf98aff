// CertMath
