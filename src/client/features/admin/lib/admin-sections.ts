// The console's sections, in tab order. Kept apart from the components so the app's
// navigation state can name a section without importing the (lazily loaded) console.
export const ADMIN_SECTIONS = [{ id: 'users', label: 'Users' }] as const;

export type AdminSection = (typeof ADMIN_SECTIONS)[number]['id'];
