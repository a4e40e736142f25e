/**
 * Typed errors shared by every layer. Each carries a stable `code` that the CLI prints and the API
 * maps to GraphQL error codes; messages name the file, field or value at fault.
 */
export type WfadErrorCode =
  | 'NEO4J_UNAVAILABLE'
  | 'NEO4J_START_FAILED'
  | 'JAVA_MISSING'
  | 'BAD_INPUT'
  | 'BAD_CONFIG'
  | 'NOTHING_STORED'
  | 'BAD_MODEL'
  | 'MODEL_MISSING'
  | 'PROVIDER_UNAVAILABLE';

export class WfadError extends Error {
  constructor(
    readonly code: WfadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WfadError';
  }
}

/** Neo4j could not be reached (down, wrong URI, wrong credentials). */
export class Neo4jUnavailableError extends WfadError {
  constructor(uri: string, cause?: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause ?? 'no answer');
    super('NEO4J_UNAVAILABLE', `Neo4j at ${uri} is unreachable: ${why}`, { cause });
    this.name = 'Neo4jUnavailableError';
  }
}

export class BadConfigError extends WfadError {
  constructor(message: string) {
    super('BAD_CONFIG', message);
    this.name = 'BadConfigError';
  }
}

/**
 * The API cannot listen on host:port because another program holds it. A configuration problem
 * (BAD_CONFIG): the operator picks another port.
 */
export class PortInUseError extends WfadError {
  constructor(
    readonly host: string,
    readonly port: number,
    cause?: unknown,
  ) {
    super('BAD_CONFIG', `cannot listen on ${host}:${port}: the port is already in use by another program; stop it or choose another port with --port <port> or WFAD_API_PORT`, { cause });
    this.name = 'PortInUseError';
  }
}

/** An ONNX execution provider was asked for but cannot be loaded on this machine. */
export class ProviderUnavailableError extends WfadError {
  constructor(
    readonly provider: string,
    message: string,
    cause?: unknown,
  ) {
    super('PROVIDER_UNAVAILABLE', message, { cause });
    this.name = 'ProviderUnavailableError';
  }
}
