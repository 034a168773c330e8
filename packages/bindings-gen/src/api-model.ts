/** The typed form of api.xml: what every emitter reads. */

export type Access = 'read' | 'write';

/** Primitive types of api.xml; anything else names an enum, a struct or an object. */
/** `params` is libvirt's typed parameter list, as a record of names to values. */
/** `stream` is bytes both ways for as long as it is open (libvirt's virStream), a Node Duplex; only as a return type. */
/** `bytes` is a byte string (a secret's value): a Uint8Array, XDR opaque, base64 text in tsvirt's JSON program. */
export const PRIMITIVES = ['string', 'uuid', 'int', 'uint', 'long', 'ulong', 'boolean', 'flags', 'void', 'params', 'stream', 'bytes'] as const;

/** The callback type that a domain event registration takes; known when api.xml declares events. */
export const EVENT_LISTENER = 'DomainEventListener';
/** Which events a registration hears (a domain, an event kind); known when api.xml declares events. */
export const EVENT_FILTER = 'DomainEventFilter';
export type Primitive = (typeof PRIMITIVES)[number];

export interface TypeRef {
  /** the name as written, without a trailing [] */
  name: string;
  list: boolean;
  kind: 'primitive' | 'enum' | 'struct' | 'object' | 'listener' | 'filter' | 'callback';
}

export interface ErrorLevelDef { name: string; value: number }
export interface ErrorDomainDef { name: string; value: number; label: string }
export interface ErrorCodeDef { name: string; value: number; message: string | null; format: string | null }
export interface ErrorsDef { since: string; levels: ErrorLevelDef[]; domains: ErrorDomainDef[]; codes: ErrorCodeDef[] }

export interface EnumValueDef { name: string; value: number; since: string; doc: string }
export interface EnumDef {
  name: string;
  c: string | null;
  prefix: string;
  /** Sys::Virt's package and prefix for the values (Sys::Virt::Domain::STATE_), when it has them */
  perl: string | null;
  kind: 'enum' | 'flags';
  since: string;
  doc: string;
  values: EnumValueDef[];
  line: number;
}

export interface FieldDef { name: string; type: TypeRef; since: string; doc: string; optional?: boolean }
export interface StructDef { name: string; c: string | null; since: string; doc: string; fields: FieldDef[]; line: number }

export interface BindingNames { c: string | null; python: string | null; perl: string | null }

export interface PropertyDef extends BindingNames {
  name: string;
  type: TypeRef;
  since: string;
  doc: string;
  /** the object this string property names (a volume's pool): bindings that return objects look it up by name */
  names?: string;
}

/** A flag that only a read-write connection may pass (libvirt's SECURE flags): its name in the arg's enum and its value. */
export interface WriteFlagDef { name: string; value: number }
/** libvirt's argument rules: a string not empty, a number zero or more, or more than zero. */
export type ArgCheck = 'nonempty' | 'nonnull' | 'nonnegative' | 'positive';

export interface ArgDef {
  name: string;
  type: TypeRef;
  enumName: string | null;
  optional: boolean;
  doc: string;
  /** the flags of this argument that need write access, refused on a read-only connection */
  writeFlags: WriteFlagDef[];
  /** a rule libvirt's API checks before any driver sees the argument */
  check?: ArgCheck;
  /** the argument's name in libvirt's C API, where it differs (named in libvirt's messages) */
  c?: string;
}
export interface MethodDef extends BindingNames {
  name: string;
  object: string;
  /** the driver interface's name for this call, e.g. domainGetInfo */
  driverName: string;
  proc: number | null;
  access: Access;
  since: string;
  doc: string;
  args: ArgDef[];
  returns: TypeRef;
  /**
   * `iterator="events"` on an event registration: the public object also gets that
   * method, an async iterator over the events (registered on first use, deregistered
   * when it ends).
   */
  iterator: string | null;
  /**
   * `promise="whenClosed"` on a callback registration: the public object also gets that
   * method, a promise of the callback's next call (its argument), registered for that one call.
   */
  promise: string | null;
  /**
   * `abortable="true"` on a call that can take long: its public form takes a last
   * `options?: { signal?: AbortSignal }`, checked and honoured by the entry layer.
   */
  abortable: boolean;
  /** `abortable="job"`: abortable, and a signal that aborts in flight also aborts the domain's job (virDomainAbortJob). */
  abortsJob: boolean;
  line: number;
}

export interface ObjectDef extends BindingNames {
  name: string;
  doc: string;
  properties: PropertyDef[];
  methods: MethodDef[];
  line: number;
}

/** A domain event: its kind (the public discriminator), libvirt's event id and procedure, and its fields. */
export interface EventDef {
  name: string;
  c: string | null;
  id: number;
  proc: number;
  since: string;
  doc: string;
  fields: FieldDef[];
  line: number;
}

/** A declaration in an XDR program: a member, typedef or union arm. `max`/`size` are numbers or const names. */
export interface XdrDeclDef {
  name: string;
  type: string;
  max: string | null;
  size: string | null;
  optional: boolean;
}
export interface XdrMemberDef extends XdrDeclDef {
  /** a call's member that carries no API argument: what a client sends in it */
  send: string | null;
  /** a reply's member that counts another (an array's length) */
  countOf: string | null;
  /**
   * A member with a part of its own in a call: the bytes of each CPU map the reply is to
   * carry (`map-length`), the most items the caller takes (`max-items`), the objects a
   * reply's list is narrowed to (`narrow`); or in a reply, the CPU maps of the value's
   * items end to end (`maps`).
   */
  carries: 'map-length' | 'max-items' | 'narrow' | 'maps' | null;
  /** the API field a reply's member carries, where the names differ (or the items' field a `maps` member lays out) */
  field: string | null;
  /** for `maps`: the items' field that is their position in the list */
  index: string | null;
  /** for a CPU map: the API field that says how many CPUs it has room for */
  bits: string | null;
}
export type XdrTypeDef =
  | { kind: 'typedef'; decl: XdrDeclDef; line: number }
  | { kind: 'struct'; name: string; members: XdrMemberDef[]; line: number }
  | { kind: 'union'; name: string; discriminant: string; arms: { when: number; decl: XdrDeclDef }[]; line: number };

/**
 * A procedure of a wire program: its number, its call's and reply's XDR types, and who
 * serves it: the API method with the same procedure number (the default) or the one
 * `method` names (libvirt's older variants of a call, without flags), the session
 * itself (`session`: open, authentication, event registration), an event it carries,
 * or nobody yet (`unmapped`: why).
 */
export interface WireProcedureDef {
  name: string;
  number: number;
  args: string | null;
  ret: string | null;
  served: 'api' | 'session' | 'event' | 'unmapped';
  /** `Object.method`: the API call of an older variant of a procedure (virDomainCreate beside virDomainCreateWithFlags) */
  method: string | null;
  event: string | null;
  unmapped: string | null;
  line: number;
}

/** A program of libvirt's RPC protocol, as its .x file defines it. */
export interface WireProgramDef {
  name: string;
  number: number;
  version: number;
  since: string;
  doc: string;
  consts: { name: string; value: string }[];
  types: XdrTypeDef[];
  /** libvirt's typed parameters by name (`*` for a number in it) and the type libvirt gives each (int, uint, ..., string) */
  typedParams: { field: string; type: string }[];
  procedures: WireProcedureDef[];
  line: number;
}

/** A function the application hands to a call (libvirt's virConnectCloseFunc): called with its arguments, identified by itself. */
export interface CallbackDef {
  name: string;
  c: string | null;
  since: string;
  doc: string;
  args: FieldDef[];
  line: number;
}

export interface ApiDef {
  name: string;
  version: string;
  libvirt: string;
  errors: ErrorsDef;
  enums: EnumDef[];
  structs: StructDef[];
  objects: ObjectDef[];
  events: EventDef[];
  /** libvirt's RPC programs (REMOTE, KEEPALIVE) */
  wire: WireProgramDef[];
  callbacks: CallbackDef[];
}
