// Package termimg draws pictures (photo thumbnails) as terminal text for
// the TUI: Render turns an image into exactly Rows lines of exactly Cols
// cells, which a bubbletea View can place like any other text.
//
// The modes:
//
//   - Kitty: the kitty graphics protocol with Unicode placeholders (kitty,
//     Ghostty). Picture.Setup transmits the image once as PNG (quietly, in
//     base64 chunks of at most 4096 bytes) together with a virtual
//     placement of Cols×Rows cells; Lines are rows of U+10EEEE placeholder
//     characters whose diacritics number the row and column and whose
//     foreground colour carries the image id. Because the placeholders are
//     plain text, the picture moves, scrolls and is redrawn with the text,
//     which is what a TUI that diffs its lines needs. Writing Setup again
//     for the same ID replaces the image, so it is safe to repeat.
//   - ITerm: iTerm2 inline images (iTerm2, WezTerm), a JPEG in an
//     OSC 1337 File= sequence sized to Cols×Rows cells.
//   - Sixel: DEC sixel graphics (foot, mlterm, xterm -ti vt340): a
//     252-colour cube with ordered dithering and run-length encoding, sized
//     for cells of 10×20 pixels, which terminals do not report reliably: a
//     terminal with smaller cells shows a larger picture than the box.
//   - Blocks: truecolor half blocks, two pixels per cell ("▀" with the
//     upper pixel as foreground colour and the lower as background), which
//     works everywhere 24-bit colour does, over plain SSH too. With
//     Options.NoColor (NO_COLOR) it is a luminance ramp " .:-=+*#%@" with no
//     escape sequences at all.
//   - None: a blank box with a small mark in the middle.
//
// ITerm and Sixel images are drawn by an escape sequence, not by text: it
// sits at the end of the box's last line, wrapped in cursor save and
// restore with a relative move to the box's top-left cell, so the line
// still measures Cols cells and the cursor ends where the text would
// leave it. The terminal, not the text, then owns those pixels: when the
// TUI redraws a line of the box without redrawing its last line (bubbletea
// rewrites only the lines that changed), the spaces it writes erase that
// part of the image. Kitty mode has no such limitation.
//
// Detect chooses a mode from the environment, ParseMode reads an --images
// flag, and Cache keeps recently rendered pictures.
package termimg
