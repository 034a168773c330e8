// @tsvirt/hv-native is an optional peer dependency: loaded on first use, undefined when
// it is not installed. Its types come from the package itself; only the import happens
// at run time.

import type * as HvNativeModule from '@tsvirt/hv-native';

export type HvNative = typeof HvNativeModule;

let loaded: Promise<HvNative | undefined> | undefined;

export function loadHvNative(): Promise<HvNative | undefined> {
  loaded ??= import('@tsvirt/hv-native').catch(() => undefined);
  return loaded;
}
