// Questions the editor asks before it acts (部署前确认, 离开前提醒): a modal <dialog> of the page with
// a body and two buttons; resolves true when the designer chose to go ahead, false on the other
// button, Esc or closing it. The page holds one such dialog (#designer-ask in edit.html).

export function ask(dialog, { title, body, yes, no }) {
  dialog.querySelector('[data-ask=title]').textContent = title;
  dialog.querySelector('[data-ask=body]').replaceChildren(...body);
  const yesButton = dialog.querySelector('[data-ask=yes]');
  const noButton = dialog.querySelector('[data-ask=no]');
  yesButton.textContent = yes;
  noButton.textContent = no;
  return new Promise((resolve) => {
    let answer = false;
    const done = () => {
      yesButton.removeEventListener('click', onYes);
      noButton.removeEventListener('click', onNo);
      dialog.removeEventListener('close', done);
      resolve(answer);
    };
    const onYes = () => { answer = true; dialog.close(); };
    const onNo = () => { dialog.close(); };
    yesButton.addEventListener('click', onYes);
    noButton.addEventListener('click', onNo);
    dialog.addEventListener('close', done);
    dialog.showModal();
    noButton.focus();  // Enter on an unread question keeps things as they are
  });
}
