package importer

import (
	"io/fs"

	"github.com/picup/picup/internal/catalog"
)

func sourceOf(path string, fi fs.FileInfo) catalog.Source {
	return catalog.Source{Path: path, Size: fi.Size(), MtimeNS: fi.ModTime().UnixNano(), Inode: inodeOf(fi)}
}

// sameFile reports whether a source looks unchanged since it was recorded:
// same size, modification time and inode.
func sameFile(prev, now catalog.Source) bool {
	return prev.Size == now.Size && prev.MtimeNS == now.MtimeNS && prev.Inode == now.Inode
}
