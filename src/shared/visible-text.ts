// Characters that draw nothing: spaces and line breaks (White_Space), those Unicode says to
// show as nothing when not otherwise supported (Default_Ignorable_Code_Point: zero-width
// space and joiners, bidi marks, the BOM, soft hyphen, variation selectors, Hangul fillers,
// tag characters), control characters, and the braille blank, drawn as an empty cell and
// the usual way to post a "blank" message where zero-width ones are caught.
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\u2800]/u;

/**
 * Whether `text` shows anything: a message of invisible characters alone would be an empty
 * row in everyone's timeline. The composer's rule for sending, and the chat message
 * schema's (schemas.ts), so the broker refuses such a message from any MQTT client too.
 */
export function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text);
}
