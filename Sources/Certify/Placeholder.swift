// Certify
