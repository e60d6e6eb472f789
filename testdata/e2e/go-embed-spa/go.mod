module example.com/palette

go 1.19
