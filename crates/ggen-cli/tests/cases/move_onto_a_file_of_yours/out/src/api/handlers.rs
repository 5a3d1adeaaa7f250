my own file
