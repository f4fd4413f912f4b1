/** The last results link made by Share, selected on focus for copying by hand. */
export function ShareLinkField({ link }: { link: string }) {
  return (
    <p className="share-link">
      <label>
        Results link{' '}
        <input readOnly value={link} data-testid="share-link" onFocus={(e) => e.target.select()} />
      </label>
    </p>
  );
}
