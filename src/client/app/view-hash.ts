// The views' addresses are lib/view-hash.ts's, which features read too (a notification's
// link is named by the view it opens); the app's modules keep importing them from here.
export { hashOf, viewOf } from '../lib/view-hash';
