package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/pkg/period"
)

// Setting is one of the library's saved settings, as "picup config"
// shows it.
type Setting struct {
	Key     string `json:"key"`
	Value   string `json:"value"`   // what applies: the saved value, else the default
	Default string `json:"default"` // what applies when none is saved
	Saved   bool   `json:"saved"`   // a value is saved (not the default)
	About   string `json:"about"`   // what it does, in a line
}

// settingDef is a setting people may change, with how a value is
// checked (and put in the form it is saved in).
type settingDef struct {
	key, def, about string
	check           func(string) (string, error)
}

// settings are the saved settings "picup config" changes; the library
// keeps others of its own (such as what the TUI has shown), which are
// not listed.
var settings = []settingDef{
	{key: sharelink.PublicURLSetting, def: sharelink.DefaultPublicURL,
		about: `the address share links start with (also set by "picup serve --public-url")`,
		check: sharelink.CheckPublicURL},
	{key: trash.RetentionKey, def: period.Format(trash.DefaultRetention),
		about: `how long photos stay in the trash (also "picup trash retention")`,
		check: func(v string) (string, error) {
			d, err := period.Parse(v)
			if err != nil {
				return "", err
			}
			if err := CheckRetention(d, false); err != nil {
				return "", fmt.Errorf(`%w (with "picup trash retention %s --force")`, err, v)
			}
			return period.Format(d), nil
		}},
}

// UnknownSettingError is a key that is not a setting.
type UnknownSettingError struct{ Key string }

func (e *UnknownSettingError) Error() string {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.key
	}
	return fmt.Sprintf("no setting %q; the settings are %s (see \"picup config ls\")", e.Key, strings.Join(keys, ", "))
}

// BadSettingError is a value a setting does not take.
type BadSettingError struct {
	Key string
	Err error
}

func (e *BadSettingError) Error() string { return fmt.Sprintf("%s: %v", e.Key, e.Err) }
func (e *BadSettingError) Unwrap() error { return e.Err }

func settingNamed(key string) (settingDef, error) {
	for _, s := range settings {
		if s.key == key {
			return s, nil
		}
	}
	return settingDef{}, &UnknownSettingError{Key: key}
}

// Settings lists the settings with the values that apply.
func (a *Archive) Settings(ctx context.Context) ([]Setting, error) {
	out := make([]Setting, 0, len(settings))
	for _, s := range settings {
		v, err := a.Setting(ctx, s.key)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Setting returns one setting (UnknownSettingError for a key that is
// none).
func (a *Archive) Setting(ctx context.Context, key string) (Setting, error) {
	def, err := settingNamed(key)
	if err != nil {
		return Setting{}, err
	}
	v, err := a.lib.Catalog.Setting(ctx, key)
	if err != nil {
		return Setting{}, err
	}
	s := Setting{Key: key, Value: v, Default: def.def, Saved: v != "", About: def.about}
	if !s.Saved {
		s.Value = def.def
	}
	return s, nil
}

// SetSetting checks value for the setting and saves it; it returns the
// value as saved (a URL without its trailing slash, a duration in the
// form "picup trash retention" prints).
func (a *Archive) SetSetting(ctx context.Context, key, value string) (string, error) {
	def, err := settingNamed(key)
	if err != nil {
		return "", err
	}
	v, err := def.check(strings.TrimSpace(value))
	if err != nil {
		return "", &BadSettingError{Key: key, Err: err}
	}
	if v == "" {
		return "", &BadSettingError{Key: key, Err: errors.New(`the value is empty; to go back to the default, use "picup config unset"`)}
	}
	return v, a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, key, v) })
}

// UnsetSetting forgets a setting's saved value: its default applies
// again. It reports whether a value was saved.
func (a *Archive) UnsetSetting(ctx context.Context, key string) (bool, error) {
	s, err := a.Setting(ctx, key)
	if err != nil || !s.Saved {
		return false, err
	}
	return true, a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, key, "") })
}
