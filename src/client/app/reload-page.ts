/** A fresh page: index.html names the chunks of the build the server has now. */
export function reloadPage(): void {
  window.location.reload();
}
