// Command picup is a self-hosted family photo archive.
package main

import (
	"os"

	"github.com/picup/picup/internal/app"
)

func main() {
	os.Exit(app.Main())
}
