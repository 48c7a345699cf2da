import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The two wire faces Portcullis serves over one domain. Each renders errors and validation messages in
 * its vendor's format. A route's face is declared: every module says which face it speaks
 * (src/modules/index.ts), and its routes carry that face in their config from registration on.
 */
export type Face = 'lockt' | 'basip';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The face the route speaks, stamped at registration from its module's declaration. */
    face?: Face;
    /** The route's operation: its module, method and URL template. */
    operation?: string;
  }
}

/**
 * The BAS-IP panel API's namespace: `/api/info`, and under `/api/v1/` every section of the panel API
 * (login, logout, access, apartment, log, the panel's device settings, network, syslog, call forwarding,
 * system, security, web, photo, sip). A request no route serves is answered in the face whose namespace
 * its URL is in: a path the panel API defines must answer `{"error"}` even when no route serves it,
 * since a panel client reads that envelope.
 */
const BASIP_NAMESPACE =
  /^\/api\/(?:info(?:[/?#]|$)|v1\/(?:login|logout|access\/|apartment|log\/|panel\/|device\/|network\/|syslog\/|forward\/|system\/|security\/|web\/|photo\/|sip\/))/;

/** Portcullis's own device API lives under `/api/v1/device/` too, and speaks Lockt's envelope. */
const PORTCULLIS_DEVICE_PATH = /^\/api\/v1\/device\/(?:access|events|state|commands(?:\/ack)?)(?:[?#]|$)/;

/** The face of a URL that no declared route serves (not found, wrong method, refused before routing). */
export function faceOfUrl(url: string): Face {
  return BASIP_NAMESPACE.test(url) && !PORTCULLIS_DEVICE_PATH.test(url) ? 'basip' : 'lockt';
}

/** The face a request is answered in: its route's declared face, else its URL's. */
export function faceOfRequest(request: FastifyRequest): Face {
  return request.routeOptions.config?.face ?? faceOfUrl(request.url);
}

/** A module as far as declaring its routes' face goes. */
interface DeclaringModule {
  name: string;
  face?: Face | undefined;
}

/**
 * Stamps each route a module registers with the module's face and an operation name, and remembers the
 * face by method and URL for the schema compilers, which see no route config.
 */
export class RouteFaces {
  private readonly faces = new Map<string, Face>();
  private registering: DeclaringModule | undefined;

  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const module = this.registering;
      if (module?.face === undefined) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      route.config = { ...route.config, face: module.face, operation: `${module.name} ${methods.join(',')} ${route.url}` };
      for (const method of methods) this.faces.set(`${method} ${route.url}`, module.face);
    });
  }

  /** Runs the module's registration, its routes declared as its face's. */
  register(module: DeclaringModule, register: () => void): void {
    this.registering = module;
    try {
      register();
    } finally {
      this.registering = undefined;
    }
  }

  /** The face of the route registered for `method` at the URL template `url`, else the URL's. */
  of(method: string, url: string): Face {
    return this.faces.get(`${method} ${url}`) ?? faceOfUrl(url);
  }
}
