package blob_test

import (
	"testing"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/blob/blobtest"
)

func TestDir(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return blob.NewDir(t.TempDir()) })
}
