open("{outside}/pwned", "w").write("pwned")
