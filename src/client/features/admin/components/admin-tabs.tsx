import { useRef, type KeyboardEvent } from 'react';
import { ADMIN_SECTIONS, type AdminSection } from '../lib/admin-sections';

export const tabId = (section: AdminSection) => `admin-tab-${section}`;
export const panelId = (section: AdminSection) => `admin-panel-${section}`;

/**
 * The WAI-ARIA tabs pattern: one tab stop, arrow keys (and Home/End) move between tabs
 * and select as they go.
 */
export function AdminTabs({
  current,
  onSelect,
}: {
  current: AdminSection;
  onSelect(section: AdminSection): void;
}) {
  const tabs = useRef(new Map<AdminSection, HTMLButtonElement>());

  const onKeyDown = (event: KeyboardEvent) => {
    const index = ADMIN_SECTIONS.findIndex((s) => s.id === current);
    const last = ADMIN_SECTIONS.length - 1;
    const target =
      event.key === 'ArrowRight'
        ? index === last
          ? 0
          : index + 1
        : event.key === 'ArrowLeft'
          ? index === 0
            ? last
            : index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : null;
    const next = target === null ? undefined : ADMIN_SECTIONS[target];
    if (!next) return;
    event.preventDefault();
    onSelect(next.id);
    tabs.current.get(next.id)?.focus();
  };

  return (
    <div className="admin-tabs" role="tablist" aria-label="Admin sections" onKeyDown={onKeyDown}>
      {ADMIN_SECTIONS.map((section) => {
        const selected = section.id === current;
        return (
          <button
            key={section.id}
            ref={(element) => {
              if (element) tabs.current.set(section.id, element);
              else tabs.current.delete(section.id);
            }}
            type="button"
            role="tab"
            id={tabId(section.id)}
            className="admin-tabs__tab"
            aria-selected={selected}
            aria-controls={panelId(section.id)}
            tabIndex={selected ? 0 : -1}
            onClick={() => onSelect(section.id)}
          >
            {section.label}
          </button>
        );
      })}
    </div>
  );
}
