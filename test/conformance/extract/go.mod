module switchyard.local/conformance-extract

go 1.24
