print("certssb")
