package phash

import (
	"cmp"
	"math/bits"
	"slices"
)

// Item is a hash and what it belongs to.
type Item struct {
	ID   int64
	Hash uint64
}

// Groups returns the groups of items whose hashes lie within threshold
// bits of each other, directly or through others of the group (single
// linkage), each sorted by id, the groups by their first id; items alike
// to none are in no group.
//
// It does not compare all pairs (multi-index hashing): split into four
// 16-bit pieces, two hashes within threshold bits have a piece within
// threshold/4 bits (pigeonhole), so each piece indexes the items, and an
// item is compared only with those whose piece is that near its own.
func Groups(items []Item, threshold int) [][]int64 {
	if threshold < 0 || len(items) < 2 {
		return nil
	}
	threshold = min(threshold, 64)
	parent := make([]int32, len(items))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(i, j int32) {
		if ri, rj := find(i), find(j); ri != rj {
			parent[ri] = rj
		}
	}
	const pieces, width = 4, 16
	near := neighbours(threshold/pieces, width)
	start := make([]int32, 1<<width+1)
	order := make([]int32, len(items))
	for p := range pieces {
		shift := uint(p * width)
		key := func(i int) uint32 { return uint32(items[i].Hash >> shift & (1<<width - 1)) }
		// The items by their piece's value (a counting sort): bucket k
		// is order[start[k]:start[k+1]].
		clear(start)
		for i := range items {
			start[key(i)+1]++
		}
		for k := 1; k < len(start); k++ {
			start[k] += start[k-1]
		}
		fill := slices.Clone(start[:len(start)-1])
		for i := range items {
			k := key(i)
			order[fill[k]] = int32(i)
			fill[k]++
		}
		for i := range items {
			k := key(i)
			for _, flip := range near {
				b := k ^ flip
				for _, j := range order[start[b]:start[b+1]] {
					if int(j) <= i {
						continue // each pair once per piece
					}
					if bits.OnesCount64(items[i].Hash^items[j].Hash) <= threshold {
						union(int32(i), j)
					}
				}
			}
		}
	}
	byRoot := map[int32][]int64{}
	for i := range items {
		r := find(int32(i))
		byRoot[r] = append(byRoot[r], items[i].ID)
	}
	var out [][]int64
	for _, g := range byRoot {
		if len(g) > 1 {
			slices.Sort(g)
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b []int64) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// neighbours are the masks of at most r set bits among the low width
// bits: XORed with a key, every key within r bits of it.
func neighbours(r, width int) []uint32 {
	var out []uint32
	for m := uint32(0); m < 1<<width; m++ {
		if bits.OnesCount32(m) <= r {
			out = append(out, m)
		}
	}
	return out
}
