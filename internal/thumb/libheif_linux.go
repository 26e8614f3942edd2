package thumb

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// libDirs are where Linux distributions keep shared libraries.
func libDirs() []string {
	triplet := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "arm": "arm-linux-gnueabihf", "386": "i386-linux-gnu"}[runtime.GOARCH]
	dirs := []string{"/usr/local/lib", "/usr/lib64", "/usr/lib", "/lib64", "/lib"}
	if triplet != "" {
		dirs = append([]string{"/usr/lib/" + triplet, "/lib/" + triplet}, dirs...)
	}
	return dirs
}

var nativeHEIF struct {
	once sync.Once
	dir  string
}

// libheifDir returns a directory to put on the HEIF helpers'
// LD_LIBRARY_PATH so that they find the system's libheif, "" when none is
// needed or none is installed. The HEIF decoder loads "libheif.so", which
// only development packages provide; the runtime package ships
// libheif.so.1, so a link to it is kept in the user's cache directory.
// Native libheif decodes several times faster than the built-in
// WebAssembly build, which stays the fallback.
func libheifDir() string {
	nativeHEIF.once.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			return
		}
		nativeHEIF.dir = linkLibheif(libDirs(), filepath.Join(cache, "picup", "lib"))
	})
	return nativeHEIF.dir
}

// linkLibheif looks for libheif in dirs: when libheif.so is there already,
// nothing is needed; when only libheif.so.1 is, a libheif.so link to it is
// made in linkDir, which is returned.
func linkLibheif(dirs []string, linkDir string) string {
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "libheif.so")); err == nil {
			return ""
		}
	}
	for _, d := range dirs {
		target := filepath.Join(d, "libheif.so.1")
		if _, err := os.Stat(target); err != nil {
			continue
		}
		link := filepath.Join(linkDir, "libheif.so")
		if cur, err := os.Readlink(link); err == nil && cur == target {
			return linkDir
		}
		if err := os.MkdirAll(linkDir, 0o755); err != nil {
			return ""
		}
		tmp := link + ".tmp-" + filepath.Base(os.Args[0])
		os.Remove(tmp)
		if err := os.Symlink(target, tmp); err != nil {
			return ""
		}
		if err := os.Rename(tmp, link); err != nil {
			os.Remove(tmp)
			return ""
		}
		return linkDir
	}
	return ""
}
