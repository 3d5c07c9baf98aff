// CertData
