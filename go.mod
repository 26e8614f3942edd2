module github.com/picup/picup

go 1.26.0

require (
	github.com/disintegration/imaging v1.6.2
	github.com/dustin/go-humanize v1.0.1
	github.com/ebitengine/purego v0.8.3
	github.com/gen2brain/heic v0.4.5
	github.com/google/uuid v1.6.0
	github.com/inconshreveable/mousetrap v1.1.0
	github.com/mattn/go-isatty v0.0.20
	github.com/ncruces/go-strftime v0.1.9
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec
	github.com/rogpeppe/go-internal v1.16.0
	github.com/rwcarlsen/goexif v0.0.0-20190401172101-9e8deecbddbd
	github.com/spf13/cobra v1.10.1
	github.com/spf13/pflag v1.0.9
	github.com/tetratelabs/wazero v1.9.0
	golang.org/x/exp v0.0.0-20250620022241-b7579e27df2b
	golang.org/x/image v0.47.0
	golang.org/x/sys v0.49.0
	golang.org/x/term v0.47.0
	modernc.org/libc v1.66.10
	modernc.org/mathutil v1.7.1
	modernc.org/memory v1.11.0
	modernc.org/sqlite v1.40.1
)

require golang.org/x/tools v0.36.0 // indirect
