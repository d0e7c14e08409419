import type { Platform } from './Platform.js';

/**
 * The path of the app's own executable as the person installed it, for anything that must start the
 * app again later (the login item, the launcher in a copied client config).
 *
 * electron-builder's Windows `portable` target is a launcher that unpacks the app to
 * `$TEMP\<unpack dir>`, sets PORTABLE_EXECUTABLE_FILE to its own path ($EXEPATH), runs the unpacked
 * app with ExecWait and then deletes the unpacked copy with `RMDir /r $INSTDIR`
 * (electron-userland/electron-builder, packages/app-builder-lib/templates/nsis/portable.nsi). So the
 * running app's process.execPath vanishes when it exits, and only PORTABLE_EXECUTABLE_FILE names an
 * executable that is still there next time.
 */

/** Set by electron-builder's portable launcher to the launcher's own path. */
export const PORTABLE_EXECUTABLE_ENV = 'PORTABLE_EXECUTABLE_FILE';

/** What the choice looks at. */
export interface InstalledAppInputs {
  /** process.execPath of the running app. */
  execPath: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The temp dir (os.tmpdir()): the portable launcher unpacks the app under $TEMP. */
  tempDir: string;
}

/** Whether `child` lies inside `parent` (or is it), by the platform's path rules. */
function isInside(platform: Pick<Platform, 'path' | 'pathKey'>, parent: string, child: string): boolean {
  const rel = platform.path.relative(platform.pathKey(parent), platform.pathKey(child));
  return rel === '' || (!rel.startsWith('..') && !platform.path.isAbsolute(rel));
}

/**
 * The executable to register for starting the app again: the portable launcher when this app was
 * started by one, else process.execPath. PORTABLE_EXECUTABLE_FILE counts only on Windows, only as an
 * absolute path, and only when the running executable is under the temp dir where the launcher
 * unpacks: the variable is inherited, so an installed poshpool started from a shell inside another
 * portable app sees that app's launcher there, which is not ours.
 */
export function installedExecutable(platform: Pick<Platform, 'isWindows' | 'path' | 'pathKey'>, inputs: InstalledAppInputs): string {
  const portable = inputs.env[PORTABLE_EXECUTABLE_ENV]?.trim();
  if (!platform.isWindows || portable === undefined || portable === '') return inputs.execPath;
  if (!platform.path.isAbsolute(portable)) return inputs.execPath;
  if (!isInside(platform, inputs.tempDir, inputs.execPath)) return inputs.execPath;
  return portable;
}
