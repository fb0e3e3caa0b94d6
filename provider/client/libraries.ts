/**
 * The HTTP, cookie and TOTP libraries, each loaded on its first use. The provider package is
 * loaded once per Pulumi operation, and a no-change `preview` sends no request: loading axios
 * (with its form-data and proxy-agent dependencies), tough-cookie and otplib up front cost such
 * a preview about 150 ms of its provider process's start (`npm run bench`, issue 11). Type-only
 * imports elsewhere keep the types; only these functions load the code.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

export function axiosLibrary(): typeof import("axios") {
  return require("axios");
}

export function axiosRetryLibrary(): typeof import("axios-retry") {
  return require("axios-retry");
}

export function cookieLibrary(): typeof import("tough-cookie") {
  return require("tough-cookie");
}

export function totpLibrary(): typeof import("otplib") {
  return require("otplib");
}
