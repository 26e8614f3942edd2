package archive

import (
	"context"
	"errors"
	"testing"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/remote"
)

// A remote may be left unnamed while the library has exactly one.
func TestPickRemote(t *testing.T) {
	ctx := context.Background()
	a, _ := newArchive(t)
	if _, err := a.PickRemote(ctx, ""); !errors.Is(err, remote.ErrNoRemote) {
		t.Errorf("no remote: %v; want ErrNoRemote", err)
	}
	for _, name := range []string{"b2", "nas"} {
		if err := a.AddRemote(ctx, catalog.Remote{Name: name, Bucket: "photos", Endpoint: "127.0.0.1:9"}); err != nil {
			t.Fatal(err)
		}
		if r, err := a.PickRemote(ctx, ""); name == "b2" && (err != nil || r.Name != "b2") {
			t.Errorf("the only remote: %q, %v; want b2", r.Name, err)
		}
	}
	var several *SeveralRemotesError
	if _, err := a.PickRemote(ctx, ""); !errors.As(err, &several) || several.N != 2 {
		t.Errorf("two remotes, none named: %v; want a SeveralRemotesError of 2", err)
	}
	if r, err := a.PickRemote(ctx, "nas"); err != nil || r.Name != "nas" {
		t.Errorf("named: %q, %v; want nas", r.Name, err)
	}
}
