package cli

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/picup/picup/internal/archive"
)

func TestRunAlbum(t *testing.T) {
	te := newTestEnv(t)
	photos := te.importSamples(t, "")
	newest, older := photos[0], photos[1]
	te.steps(t, []step{
		{name: "create without a name", run: func(ctx context.Context, e *env) error {
			return runAlbumCreate(ctx, e, &albumCreateOptions{name: ""})
		}, err: "album name cannot be empty", usage: true},
		{name: "create with spaces around the name", run: func(ctx context.Context, e *env) error {
			return runAlbumCreate(ctx, e, &albumCreateOptions{name: " Trip"})
		}, err: `album name " Trip" has leading or trailing spaces`, usage: true},
		{name: "create", run: func(ctx context.Context, e *env) error {
			return runAlbumCreate(ctx, e, &albumCreateOptions{name: "Trip"})
		}, stdout: "created album \"Trip\"\n"},
		{name: "create again", run: func(ctx context.Context, e *env) error {
			return runAlbumCreate(ctx, e, &albumCreateOptions{name: "trip"})
		}, err: `album already exists: "trip"; pick another name or add photos to it with "picup album add"`},
		{name: "add", run: func(ctx context.Context, e *env) error {
			return runAlbumPhotos(ctx, e, &albumPhotosOptions{album: "Trip", photos: []string{idString(newest), idString(older)}})
		}, stdout: "added 2 photos to \"Trip\"\n"},
		{name: "add by path, once more", run: func(ctx context.Context, e *env) error {
			return runAlbumPhotos(ctx, e, &albumPhotosOptions{album: "Trip", photos: []string{newest.Path}})
		}, stdout: "added 0 photos to \"Trip\" (1 was already in it)\n"},
		{name: "add a photo that is not there", run: func(ctx context.Context, e *env) error {
			return runAlbumPhotos(ctx, e, &albumPhotosOptions{album: "Trip", photos: []string{idString(newest), "9999"}})
		}, err: `no photo with id 9999; see "picup ls"`},
		{name: "remove", run: func(ctx context.Context, e *env) error {
			return runAlbumPhotos(ctx, e, &albumPhotosOptions{album: "Trip", photos: []string{idString(older)}, remove: true})
		}, stdout: "removed 1 photo from \"Trip\"\n"},
		{name: "remove again", run: func(ctx context.Context, e *env) error {
			return runAlbumPhotos(ctx, e, &albumPhotosOptions{album: "Trip", photos: []string{idString(older)}, remove: true})
		}, stdout: "removed 0 photos from \"Trip\" (1 was not in it)\n"},
		{name: "ls", run: func(ctx context.Context, e *env) error {
			return runAlbumLs(ctx, e, &albumLsOptions{})
		}, stdout: "NAME  PHOTOS  VIDEOS  FROM        TO\n" +
			"Trip  1       0       " + newest.TakenAt[:10] + "  " + newest.TakenAt[:10] + "\n"},
		{name: "rename to nothing", run: func(ctx context.Context, e *env) error {
			return runRename(ctx, e, &renameOptions{what: "album", name: "Trip", to: ""})
		}, err: "album name cannot be empty", usage: true},
		{name: "rename", run: func(ctx context.Context, e *env) error {
			return runRename(ctx, e, &renameOptions{what: "album", name: "Trip", to: "Voyage", rename: (*archive.Archive).RenameAlbum})
		}, stdout: "renamed album \"Trip\" to \"Voyage\"\n"},
		{name: "rm", run: func(ctx context.Context, e *env) error {
			return runAlbumRm(ctx, e, &albumRmOptions{name: "Voyage"})
		}, stdout: "removed album \"Voyage\"; its photos are still in the library\n"},
		{name: "rm again", run: func(ctx context.Context, e *env) error {
			return runAlbumRm(ctx, e, &albumRmOptions{name: "Voyage"})
		}, err: `no album named "Voyage"; see "picup album ls": not found`},
	})
}

func TestRunAlbumLsJSON(t *testing.T) {
	te := newTestEnv(t)
	photos := te.importSamples(t, "")
	ctx := context.Background()
	if err := runAlbumPhotos(ctx, te.env, &albumPhotosOptions{album: "Jeju 2019", photos: []string{idString(photos[0]), idString(photos[4])}}); err != nil {
		t.Fatal(err)
	}
	te.stdout.Reset()
	if err := runAlbumLs(ctx, te.env, &albumLsOptions{json: true}); err != nil {
		t.Fatal(err)
	}
	var albums []albumJSON
	if err := json.Unmarshal(te.stdout.Bytes(), &albums); err != nil {
		t.Fatalf("album ls --json: %v\n%s", err, te.stdout)
	}
	if len(albums) != 1 || albums[0].Name != "Jeju 2019" || albums[0].Photos != 2 || albums[0].Videos != 0 ||
		albums[0].FirstAt != photos[4].TakenAt || albums[0].LastAt != photos[0].TakenAt || albums[0].CreatedAt == "" {
		t.Errorf("album ls --json = %+v; want Jeju 2019 with 2 photos from %s to %s", albums, photos[4].TakenAt, photos[0].TakenAt)
	}
}
