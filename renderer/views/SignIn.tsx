/** Shown instead of everything else while signed out: no data, only how to sign in. */

export function SignIn() {
  return (
    <main className="signin">
      <h1>poshpool</h1>
      <p role="alert">
        Run <code>poshpool open</code> to sign in.
      </p>
    </main>
  );
}
