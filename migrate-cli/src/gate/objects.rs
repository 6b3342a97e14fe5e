//! An index of findings by code and object under [`super::same_object`]'s rule (one object
//! names the other with more schema in front), so matching a thousand findings against a
//! thousand is a few hash look-ups each, not a scan of all of them.

use std::collections::HashMap;

type Keyed<'a> = HashMap<&'a str, HashMap<&'a str, Vec<usize>>>;

/// Items (numbered in the order given) keyed by code and object: each is found by its whole
/// object and by each of its object's tails after a dot.
pub(super) struct ObjectIndex<'a> {
    /// code → object → items with exactly that object, in order.
    whole: Keyed<'a>,
    /// code → tail → items whose object ends with `.tail`, in order.
    tails: Keyed<'a>,
    /// Where the scan of each list (by its address) for an item not yet matched resumes.
    cursors: HashMap<*const usize, usize>,
}

impl<'a> ObjectIndex<'a> {
    /// The index of `items`, each a (code, object) pair.
    pub(super) fn new(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut index = ObjectIndex {
            whole: HashMap::new(),
            tails: HashMap::new(),
            cursors: HashMap::new(),
        };
        for (i, (code, object)) in items.into_iter().enumerate() {
            let whole = index.whole.entry(code).or_default();
            whole.entry(object).or_default().push(i);
            let by_tail = index.tails.entry(code).or_default();
            for tail in tails(object) {
                by_tail.entry(tail).or_default().push(i);
            }
        }
        index
    }

    /// The lists of items of `code` whose object is the [`super::same_object`] of `object`
    /// (each list in item order; an item is in one list at most).
    pub(super) fn lists(&self, code: &str, object: &str) -> Vec<&[usize]> {
        let mut out = Vec::new();
        let whole = self.whole.get(code);
        // Items whose object equals `object` or ends with `.object`.
        for map in [whole, self.tails.get(code)].into_iter().flatten() {
            if let Some(list) = map.get(object) {
                out.push(list.as_slice());
            }
        }
        // Items whose object is a tail of `object` after a dot.
        for tail in tails(object) {
            if let Some(list) = whole.and_then(|w| w.get(tail)) {
                out.push(list.as_slice());
            }
        }
        out
    }

    /// The first item of `code` naming the same object as `object` that `matched` does not
    /// mark, which it then marks: each list's scan resumes where it ended, as marks only add.
    pub(super) fn take(&mut self, code: &str, object: &str, matched: &mut [bool]) -> Option<usize> {
        let mut first: Option<usize> = None;
        let lists: Vec<&[usize]> = self.lists(code, object);
        let mut ends = Vec::with_capacity(lists.len());
        for list in lists {
            let mut at = self.cursors.get(&list.as_ptr()).copied().unwrap_or(0);
            while at < list.len() && matched[list[at]] {
                at += 1;
            }
            ends.push((list.as_ptr(), at));
            if let Some(&i) = list.get(at) {
                first = Some(first.map_or(i, |f| f.min(i)));
            }
        }
        self.cursors.extend(ends);
        if let Some(i) = first {
            matched[i] = true;
        }
        first
    }

    /// Whether some item of `code` names the same object as `object`.
    pub(super) fn contains(&self, code: &str, object: &str) -> bool {
        !self.lists(code, object).is_empty()
    }
}

/// Each part of `object` after one of its dots: `public.t.c` gives `t.c` and `c`.
fn tails(object: &str) -> impl Iterator<Item = &str> {
    object
        .char_indices()
        .filter(|&(_, c)| c == '.')
        .map(move |(i, _)| &object[i + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index finds exactly what `same_object` pairs, over qualified and unqualified names.
    #[test]
    fn the_index_agrees_with_same_object() {
        let objects = [
            "t",
            "public.t",
            "s.t",
            "t.c",
            "public.t.c",
            "c",
            "x.t",
            "tt",
            "public.tt",
            "a.",
            "",
            ".t",
        ];
        let index = ObjectIndex::new(objects.iter().map(|o| ("drop-table", *o)));
        for probe in objects.iter().chain(&["other", "public", "s.t.c"]) {
            let mut found: Vec<usize> = index.lists("drop-table", probe).concat();
            found.sort();
            let expected: Vec<usize> = (0..objects.len())
                .filter(|&i| super::super::same_object(objects[i], probe))
                .collect();
            assert_eq!(found, expected, "{probe}");
            assert!(!index.contains("drop-column", probe));
        }
    }

    /// `take` gives the first item not yet matched, in item order across lists, then none.
    #[test]
    fn take_gives_items_in_order_once() {
        let objects = ["t.c", "public.t", "t", "s.t", "t"];
        let mut index = ObjectIndex::new(objects.iter().map(|o| ("drop-table", *o)));
        let mut matched = vec![false; objects.len()];
        matched[2] = true;
        let taken: Vec<Option<usize>> = (0..4)
            .map(|_| index.take("drop-table", "t", &mut matched))
            .collect();
        assert_eq!(taken, [Some(1), Some(3), Some(4), None]);
        assert_eq!(
            index.take("drop-table", "public.t.c", &mut matched),
            Some(0)
        );
    }
}
