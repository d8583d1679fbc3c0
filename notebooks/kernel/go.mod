module gorbm.dev/gorbm/notebooks/kernel

go 1.26

require github.com/gopherdata/gophernotes v0.7.5

require (
	github.com/clipperhouse/uax29/v2 v2.2.0 // indirect
	github.com/cosmos72/gomacro v0.0.0-20260901205243-0df6c0cd20af // indirect
	github.com/go-zeromq/goczmq/v4 v4.2.2 // indirect
	github.com/go-zeromq/zmq4 v0.14.1 // indirect
	github.com/gofrs/uuid v4.2.0+incompatible // indirect
	github.com/mattn/go-runewidth v0.0.28 // indirect
	github.com/peterh/liner v1.2.2 // indirect
	golang.org/x/mod v0.27.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/sys v0.35.0 // indirect
	golang.org/x/tools v0.36.0 // indirect
)

// setup.sh writes a copy of the v0.7.5 sources with the x_package.go change
// (proxy_JSONer.JSON returns map[string]interface{}) to
// ../.kernel/src/gophernotes (git-ignored); gomacro is the version
// gophernotes master uses, which reads the Go 1.26 standard library.
replace github.com/gopherdata/gophernotes => ../.kernel/src/gophernotes
