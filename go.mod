module gorump

go 1.19
