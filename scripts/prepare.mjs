// Installs the git hooks on `npm install` / `npm ci`, and never breaks an install: not in CI without
// a .git folder, not in an image build (`--omit=dev`, where husky is absent), not with HUSKY=0.
import { existsSync } from 'node:fs';

if (process.env.HUSKY === '0' || !existsSync('.git')) process.exit(0);
try {
  const { default: husky } = await import('husky');
  const message = husky();
  if (message) console.log(message);
} catch {
  console.log('husky is not installed (production install?): git hooks not set up');
}
