module github.com/example/filetype

go 1.19
