print("specgrpo")
