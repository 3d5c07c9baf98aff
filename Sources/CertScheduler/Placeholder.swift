// CertScheduler
