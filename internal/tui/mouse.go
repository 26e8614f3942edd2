package tui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// onMouse handles the wheel (scrolls what is under the pointer) and left
// clicks: a tab switches views, a row or a photo gets the cursor, and a
// click on the photo under the cursor marks it.
func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	if m.dialog != nil || m.searching || m.showHelp || m.width == 0 {
		return nil
	}
	wheel := 0
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		wheel = -1
	case tea.MouseButtonWheelDown:
		wheel = 1
	case tea.MouseButtonLeft:
		if msg.Action != tea.MouseActionPress {
			return nil
		}
	default:
		return nil
	}
	if msg.Y == 0 {
		if wheel == 0 {
			for i, t := range m.tabs() {
				if msg.X >= t.x0 && msg.X < t.x1 {
					return m.setView(viewID(i))
				}
			}
		}
		return nil
	}
	l := m.layout()
	y := msg.Y - 1
	if y >= l.bodyH {
		return nil
	}
	switch m.view {
	case viewTimeline:
		if msg.X < l.treeW {
			return m.treeMouse(y, wheel)
		}
		if msg.X >= l.gridX {
			m.treeFocus = false
			return m.gridMouse(&m.photos, l, msg.X-l.gridX, y, wheel)
		}
	case viewTrash:
		return m.gridMouse(&m.trash, l, msg.X, y, wheel)
	case viewAlbums:
		listMouse(&m.albums, y, wheel)
	case viewUsers:
		listMouse(&m.users, y, wheel)
	case viewShares:
		listMouse(&m.shares, y, wheel)
	case viewActivity:
		return m.activityMouse(y, wheel)
	case viewDupes:
		m.dupesMouse(l, msg.X, y, wheel)
	case viewJobs:
		j := &m.jobs
		n := len(j.remotes) + len(j.failed)
		if wheel != 0 {
			j.cursor = min(max(j.cursor+wheel, 0), max(0, n-1))
		} else if y >= 1 && y-1 < len(j.remotes) {
			j.cursor = y - 1
		}
	}
	return nil
}

func (m *Model) treeMouse(y, wheel int) tea.Cmd {
	before := m.tl.selected()
	var cmd tea.Cmd
	rows := m.tl.rows()
	if wheel != 0 {
		m.tl.cursor = min(max(m.tl.cursor+wheel, 0), len(rows)-1)
	} else {
		row := m.tl.top + y
		if row >= len(rows) {
			return nil
		}
		if row == m.tl.cursor {
			cmd = m.tl.toggle(m.ctx, m.lib.Catalog, !rows[row].open)
		}
		m.tl.cursor = row
		m.treeFocus = true
	}
	if sel := m.tl.selected(); sel != before {
		m.period = sel
		return tea.Batch(cmd, m.resetPhotos())
	}
	return cmd
}

func (m *Model) gridMouse(g *grid, l layout, x, y, wheel int) tea.Cmd {
	if wheel != 0 {
		g.move(wheel * l.cols)
		return nil
	}
	col, row := x/l.cellW, y/l.cellH
	if col >= l.cols || row >= l.rows || y >= l.gridH {
		return nil
	}
	abs := (g.topRow+row)*l.cols + col
	p, ok := g.at(abs)
	if !ok {
		return nil
	}
	if abs == g.cur {
		if m.marks[g.name][p.ID] {
			delete(m.marks[g.name], p.ID)
		} else {
			m.marks[g.name][p.ID] = true
		}
		return nil
	}
	g.cur = abs
	return nil
}

// listMouse scrolls a list or puts its cursor on the clicked row (the
// first line is the heading).
func listMouse[T any](l *listState[T], y, wheel int) {
	if wheel != 0 {
		l.move(wheel)
		return
	}
	if row := l.top + y - 1; y >= 1 && row < len(l.items) {
		l.cursor = row
	}
}

// activityMouse scrolls the activity view or puts its cursor on the
// clicked row.
func (m *Model) activityMouse(y, wheel int) tea.Cmd {
	s := &m.activity
	if wheel != 0 {
		s.cursor = min(max(s.cursor+wheel, 0), max(0, s.rows()-1))
		return m.loadMoreActivity()
	}
	if s.err != "" {
		y-- // the error's line
	}
	if _, rowOf := m.activityLines(); y >= 0 && s.top+y < len(rowOf) && rowOf[s.top+y] >= 0 {
		s.cursor = rowOf[s.top+y]
	}
	return nil
}
