print("certssbd: not yet")
