// The management routes the console calls beyond @fleet/api/contract: departments, places and
// users. Their schemas live in modules whose imports reach the database (departments' routes.ts)
// or are not exported (users' bodies are written inline), so the console's type check cannot
// load them as it loads the contract; until the API moves them beside the contract's schemas
// (docs/decisions.md, "Console management pages"), their shapes are written here once, and
// web/test/admin-endpoints.test.ts checks every route, field and limit against the API's
// OpenAPI document so a change on either side fails a test.
import type { Role, User } from '@fleet/api/contract';

/** Limits the API's schemas enforce, for the forms to check as the API does. */
export const LIMITS = {
  departmentName: 100,
  userName: 100,
  email: 254,
  /** api/src/auth/passwords.ts */
  passwordMin: 12,
  passwordMax: 200,
  placeName: 100,
  address: 500,
  organisationName: 100,
  minRadiusM: 10,
  maxRadiusM: 50_000,
  maxPolygonPositions: 10_000,
} as const;

export interface Department {
  id: string;
  parentId: string | null;
  name: string;
  /** Names from the root down to this department. */
  path: string[];
  /** Members of this department itself. */
  users: number;
  createdAt: string;
}

export const PLACE_CATEGORIES = [
  'depot',
  'client_site',
  'job_site',
  'workshop',
  'fuel_station',
  'parking',
  'restricted_area',
  'other',
] as const;
export type PlaceCategory = (typeof PLACE_CATEGORIES)[number];

/** GeoJSON order: longitude first. */
export type Position = [lon: number, lat: number];

export interface CircleGeometry {
  type: 'circle';
  center: { lat: number; lon: number };
  radiusM: number;
}

export interface PolygonGeometry {
  type: 'Polygon';
  /** One closed outer ring. */
  coordinates: Position[][];
}

export type PlaceGeometry = CircleGeometry | PolygonGeometry;

export interface Place {
  id: string;
  name: string;
  category: PlaceCategory;
  address: string | null;
  geometry: PlaceGeometry;
  /** [west, south, east, north] */
  bbox: [number, number, number, number];
  areaM2: number;
  /** km/h inside the place (speeding rules apply the lower limit); null: none. */
  speedLimitKmh: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface NewPlace {
  name: string;
  category: PlaceCategory;
  address?: string | null;
  geometry: PlaceGeometry;
  speedLimitKmh?: number | null;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  departmentId?: string | null;
  /** Sent only when the API's users have it (another change adds it). */
  departmentScope?: boolean;
}

export interface UserChanges {
  name?: string;
  role?: Role;
  password?: string;
  disabled?: boolean;
  departmentId?: string | null;
  departmentScope?: boolean;
}

/** A user as the API answers, with the department scope where the API has it. */
export type ManagedUser = User & { departmentScope?: boolean };

type Empty = Record<string, never>;

export interface ManagementEndpoints {
  'GET /api/v1/departments': { body: undefined; response: { items: Department[] } };
  'POST /api/v1/departments': { body: { name: string; parentId?: string | null }; response: Department };
  'PATCH /api/v1/departments/{id}': {
    body: { name?: string; parentId?: string | null };
    response: Department;
  };
  'DELETE /api/v1/departments/{id}': { body: undefined; response: Empty };
  'GET /api/v1/places': { body: undefined; response: Page<Place> };
  'POST /api/v1/places': { body: NewPlace; response: Place };
  'PATCH /api/v1/places/{id}': { body: Partial<NewPlace>; response: Place };
  'DELETE /api/v1/places/{id}': { body: undefined; response: Empty };
  'GET /api/v1/users': { body: undefined; response: { items: ManagedUser[] } };
  'POST /api/v1/users': { body: NewUser; response: ManagedUser };
  'PATCH /api/v1/users/{id}': { body: UserChanges; response: ManagedUser };
  'DELETE /api/v1/users/{id}': { body: undefined; response: Empty };
}

/**
 * The OpenAPI component each answer is, by route, so the test can compare field names; and the
 * request component of each body.
 */
export const MANAGEMENT_ROUTES = {
  'GET /api/v1/departments': { response: 'DepartmentList' },
  'POST /api/v1/departments': { body: 'NewDepartment', response: 'Department' },
  'PATCH /api/v1/departments/{id}': { body: 'DepartmentChanges', response: 'Department' },
  'DELETE /api/v1/departments/{id}': { response: 'Empty' },
  'GET /api/v1/places': { response: 'PlacePage' },
  'POST /api/v1/places': { body: 'NewPlace', response: 'Place' },
  'PATCH /api/v1/places/{id}': { body: 'PlaceChanges', response: 'Place' },
  'DELETE /api/v1/places/{id}': { response: 'Empty' },
  'GET /api/v1/users': { response: 'UserList' },
  'POST /api/v1/users': { body: 'NewUser', response: 'User' },
  'PATCH /api/v1/users/{id}': { body: 'UserChanges', response: 'User' },
  'DELETE /api/v1/users/{id}': { response: 'Empty' },
} as const satisfies Record<keyof ManagementEndpoints, { body?: string; response: string }>;

/** Field names of each shape above, for the drift test (exhaustive: the `satisfies` checks each key is real). */
export const SHAPE_FIELDS = {
  Department: ['id', 'parentId', 'name', 'path', 'users', 'createdAt'],
  Place: [
    'id',
    'name',
    'category',
    'address',
    'geometry',
    'bbox',
    'areaM2',
    'speedLimitKmh',
    'createdAt',
    'updatedAt',
  ],
  NewDepartment: ['name', 'parentId'],
  DepartmentChanges: ['name', 'parentId'],
  NewPlace: ['type', 'name', 'category', 'address', 'geometry', 'speedLimitKmh'],
  PlaceChanges: ['name', 'category', 'address', 'geometry', 'speedLimitKmh'],
  NewUser: ['email', 'name', 'role', 'password', 'departmentId', 'departmentScope'],
  UserChanges: ['name', 'role', 'password', 'disabled', 'departmentId', 'departmentScope'],
} as const satisfies {
  Department: readonly (keyof Department)[];
  Place: readonly (keyof Place)[];
  NewDepartment: readonly (keyof ManagementEndpoints['POST /api/v1/departments']['body'])[];
  DepartmentChanges: readonly (keyof ManagementEndpoints['PATCH /api/v1/departments/{id}']['body'])[];
  NewPlace: readonly (keyof NewPlace | 'type')[];
  PlaceChanges: readonly (keyof NewPlace)[];
  NewUser: readonly (keyof NewUser)[];
  UserChanges: readonly (keyof UserChanges)[];
};

/** Fields the console knows of that the API may not have yet (feature-detected at run time). */
export const OPTIONAL_FIELDS: ReadonlySet<string> = new Set(['departmentScope']);
