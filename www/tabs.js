// Accessible tabs (WAI-ARIA Authoring Practices, automatic activation): every `role="tab"` of the
// tab list controls the `role="tabpanel"` its `aria-controls` names. Arrow keys, Home and End move
// between tabs. A new tab needs nothing here: a button in the tab list and a panel are enough.

/**
 * Wires the tabs of `tablist` and returns `select(id)`, which shows the tab whose panel has that
 * id. `onChange(tab, panel)` runs after every change.
 */
export function setupTabs(tablist, onChange = () => {}) {
  const tabs = () => [...tablist.querySelectorAll('[role="tab"]')];
  const panelOf = (tab) => document.getElementById(tab.getAttribute('aria-controls'));

  function activate(tab, { focus = false } = {}) {
    for (const other of tabs()) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      const panel = panelOf(other);
      if (panel) panel.hidden = !selected;
    }
    if (focus) tab.focus();
    onChange(tab, panelOf(tab));
  }

  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab && tablist.contains(tab)) activate(tab);
  });

  tablist.addEventListener('keydown', (event) => {
    const all = tabs();
    const index = all.indexOf(document.activeElement);
    if (index < 0) return;
    const next = {
      ArrowRight: all[(index + 1) % all.length],
      ArrowLeft: all[(index - 1 + all.length) % all.length],
      Home: all[0],
      End: all[all.length - 1],
    }[event.key];
    if (next) {
      event.preventDefault();
      activate(next, { focus: true });
    }
  });

  return {
    select(panelId) {
      const tab = tabs().find((t) => t.getAttribute('aria-controls') === panelId);
      if (tab) activate(tab);
    },
    selected() {
      return tabs().find((t) => t.getAttribute('aria-selected') === 'true');
    },
  };
}
