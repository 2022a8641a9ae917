// The believable company behind the simulated fleet of `npm start`: a Helsinki production
// company (stage, lighting, sound and video crews) with departments, vans with Finnish plates
// and VINs, equipment kits with serial numbers, drivers, a depot and client sites. Plain data,
// the same for the same seed and size, so a second start finds what the first one made and
// adds nothing twice. The launcher writes it through the domain repositories, as a user would.
import { simDeviceName } from './provision.ts';
import { mulberry32 } from './roads.ts';

export interface CompanySize {
  vehicles: number;
  equipment: number;
}

export interface CompanyDepartment {
  name: string;
  /** The parent's name; undefined for a top-level department. */
  parent?: string;
}

export interface CompanyPlace {
  name: string;
  category: 'depot' | 'client_site' | 'job_site' | 'workshop' | 'fuel_station';
  address: string;
  center: { lat: number; lon: number };
  radiusM: number;
}

export interface CompanyVehicle {
  /** The simulated device that rides in it: sim-vehicle-0001 is on the first van. */
  device: string;
  name: string;
  plate: string;
  /** 17 characters; position 9 is '0' here, for the caller to set to the check digit. */
  vinWithoutCheckDigit: string;
  make: string;
  model: string;
  year: number;
  fuelType: 'diesel' | 'electric' | 'petrol';
  tankCapacityL: number | null;
  department: string;
  homePlace: string;
  /** The odometer and engine hours the van has when the simulator first drives it (vanStartMeters). */
  odometerKm: number;
  engineHours: number;
}

export interface CompanyEquipment {
  /** The simulated tag on it: sim-tag-0001 is on the first kit. */
  device: string;
  name: string;
  category: string;
  serialNumber: string;
  replacementValue: number;
  department: string;
  homePlace: string;
}

export interface CompanyDriver {
  name: string;
  employeeNumber: string;
  phone: string;
  licenceNumber: string;
  licenceClasses: string[];
  licenceExpiry: string;
  department: string;
  /** The van the driver drives today (index into vehicles), if any. */
  vehicle: number | undefined;
  /** The driver card (an iButton's ROM code) the van's tracker reads at ignition on. */
  driverCardId: string;
}

export interface DemoCompany {
  departments: CompanyDepartment[];
  places: CompanyPlace[];
  vehicles: CompanyVehicle[];
  equipment: CompanyEquipment[];
  drivers: CompanyDriver[];
}

const DEPARTMENTS: CompanyDepartment[] = [
  { name: 'Production' },
  { name: 'Lighting', parent: 'Production' },
  { name: 'Sound', parent: 'Production' },
  { name: 'Video', parent: 'Production' },
  { name: 'Stage', parent: 'Production' },
  { name: 'Logistics' },
  { name: 'Workshop', parent: 'Logistics' },
];
/** Where vans and kits belong, round-robin. */
const CREWS = ['Lighting', 'Sound', 'Video', 'Stage', 'Logistics'];

/**
 * Real places in central Helsinki, inside the simulator's road extract (Kamppi to Kruununhaka),
 * so the map, the addresses and where the vans go agree.
 */
const PLACES: CompanyPlace[] = [
  {
    name: 'Annankatu depot',
    category: 'depot',
    address: 'Annankatu 25, 00100 Helsinki',
    center: { lat: 60.1664, lon: 24.9392 },
    radiusM: 80,
  },
  {
    name: 'Kasarmikatu workshop',
    category: 'workshop',
    address: 'Kasarmikatu 23, 00130 Helsinki',
    center: { lat: 60.1651, lon: 24.9484 },
    radiusM: 60,
  },
  {
    name: 'Helsinki Music Centre',
    category: 'client_site',
    address: 'Mannerheimintie 13a, 00100 Helsinki',
    center: { lat: 60.1737, lon: 24.9366 },
    radiusM: 100,
  },
  {
    name: 'Kiasma',
    category: 'client_site',
    address: 'Mannerheiminaukio 2, 00100 Helsinki',
    center: { lat: 60.1718, lon: 24.9368 },
    radiusM: 70,
  },
  {
    name: 'National Theatre',
    category: 'client_site',
    address: 'Läntinen Teatterikuja 1, 00100 Helsinki',
    center: { lat: 60.1722, lon: 24.9447 },
    radiusM: 70,
  },
  {
    name: 'Ateneum',
    category: 'client_site',
    address: 'Kaivokatu 2, 00100 Helsinki',
    center: { lat: 60.1702, lon: 24.9442 },
    radiusM: 70,
  },
  {
    name: 'Old Student House',
    category: 'job_site',
    address: 'Mannerheimintie 3, 00100 Helsinki',
    center: { lat: 60.1691, lon: 24.9401 },
    radiusM: 50,
  },
  {
    name: 'Espa Stage',
    category: 'job_site',
    address: 'Eteläesplanadi, 00130 Helsinki',
    center: { lat: 60.1676, lon: 24.9468 },
    radiusM: 60,
  },
];

const VAN_MODELS = [
  { make: 'Volkswagen', model: 'Crafter', wmi: 'WV1', fuel: 'diesel', tank: 75 },
  { make: 'Ford', model: 'Transit', wmi: 'WF0', fuel: 'diesel', tank: 80 },
  { make: 'Mercedes-Benz', model: 'Sprinter', wmi: 'W1V', fuel: 'diesel', tank: 71 },
  { make: 'Renault', model: 'Master', wmi: 'VF1', fuel: 'diesel', tank: 80 },
  { make: 'Toyota', model: 'Proace', wmi: 'YAR', fuel: 'diesel', tank: 69 },
  { make: 'Volkswagen', model: 'ID. Buzz Cargo', wmi: 'WV1', fuel: 'electric', tank: null },
  { make: 'Iveco', model: 'Daily', wmi: 'ZCF', fuel: 'diesel', tank: 90 },
] as const;

const KITS = [
  { category: 'lighting kit', name: 'LED wash kit', value: 18_500 },
  { category: 'sound kit', name: 'PA system', value: 32_000 },
  { category: 'camera kit', name: 'Cinema camera kit', value: 54_000 },
  { category: 'generator', name: 'Generator 20 kVA', value: 14_200 },
  { category: 'trailer', name: 'Box trailer', value: 6_800 },
  { category: 'video kit', name: 'LED wall module set', value: 41_000 },
  { category: 'stage kit', name: 'Truss and rigging set', value: 12_400 },
] as const;

const FIRST_NAMES = [
  'Aino',
  'Eero',
  'Helmi',
  'Juhani',
  'Kaisa',
  'Lauri',
  'Mikko',
  'Noora',
  'Onni',
  'Pia',
  'Riikka',
  'Sami',
  'Tuomas',
  'Ulla',
  'Veera',
  'Ville',
  'Elina',
  'Antti',
  'Satu',
  'Jari',
];
const LAST_NAMES = [
  'Korhonen',
  'Virtanen',
  'Mäkinen',
  'Nieminen',
  'Mäkelä',
  'Hämäläinen',
  'Laine',
  'Heikkinen',
  'Koskinen',
  'Järvinen',
  'Lehtonen',
  'Lehtinen',
  'Saarinen',
  'Salminen',
  'Heinonen',
  'Niemi',
];

/** Letters of Finnish plates (no Å, Ä, Ö, and none that read as digits). */
const PLATE_LETTERS = 'ABCEFGHJKLMNPRSTUVXYZ';
/** VIN characters (ISO 3779: no I, O or Q). */
const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
/** Model-year codes of VIN position 10, 2010-2030 (A=2010 ... skipping I, O, Q, U, Z, 0). */
const YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';

function pick<T>(items: readonly T[], rnd: () => number): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

function modelYearCode(year: number): string {
  return YEAR_CODES[(year - 2010) % 30] as string;
}

/** The demo company for a fleet of this size; the same seed and size give the same company. */
/**
 * The card of the company's i-th driver: an iButton ROM code (family 01, a 48-bit serial, a
 * check byte), from the index alone, so the simulator knows it without the company's data.
 */
export function driverCard(i: number): string {
  const serial = (0x1a2b_0000_0000 + i * 7919).toString(16).toUpperCase().padStart(12, '0');
  const check = ((i * 31 + 7) % 256).toString(16).toUpperCase().padStart(2, '0');
  return `01${serial}${check}`;
}

/**
 * The card a simulated van reports: its own driver's (driver i drives van i), by the device's
 * name; undefined for a device that is not one of the demo company's vans.
 */
export function driverCardOfVan(deviceName: string): string | undefined {
  const m = /^sim-vehicle-(\d{4,})$/.exec(deviceName);
  const i = m === null ? -1 : Number(m[1]) - 1;
  return i >= 0 && simDeviceName('vehicle', i) === deviceName ? driverCard(i) : undefined;
}

/**
 * A demo van's odometer and engine hours before the simulator first drives it: about 21,000 km
 * a year of its age (a city van's) with a spread of its own, and an engine hour per 28 km (city
 * driving with idling). From the index and year only, so the company's other draws stay as they
 * were; the demo's service history (cli/src/demo-company.ts) is laid out against these.
 */
export function vanStartMeters(index: number, year: number): { odometerKm: number; engineHours: number } {
  const spread = (Math.imul(index + 1, 2_654_435_761) >>> 0) % 9000;
  const odometerKm = Math.round((2026 - year + 0.5) * 21_000 + spread);
  return { odometerKm, engineHours: Math.round((odometerKm / 28) * 10) / 10 };
}

/** Each demo van among these devices to the meters it starts with, by device id (FleetPlan.startMeters). */
export function vanStartMetersOf(
  devices: readonly { id: string; name: string }[],
): Map<string, { odometerKm: number; engineHours: number }> {
  const indexOf = (name: string) => {
    const m = /^sim-vehicle-(\d{4,})$/.exec(name);
    const i = m === null ? -1 : Number(m[1]) - 1;
    return i >= 0 && simDeviceName('vehicle', i) === name ? i : -1;
  };
  const count = Math.max(0, ...devices.map((d) => indexOf(d.name) + 1));
  const vans = demoCompany({ vehicles: count, equipment: 0 }).vehicles;
  const out = new Map<string, { odometerKm: number; engineHours: number }>();
  for (const d of devices) {
    const van = vans[indexOf(d.name)];
    if (van) out.set(d.id, { odometerKm: van.odometerKm, engineHours: van.engineHours });
  }
  return out;
}

export function demoCompany(size: CompanySize, seed = 2026): DemoCompany {
  const rnd = mulberry32(seed);
  const plates = new Set<string>();
  const vehicles: CompanyVehicle[] = [];
  for (let i = 0; i < size.vehicles; i++) {
    let plate: string;
    do {
      const letters = Array.from({ length: 3 }, () => pick([...PLATE_LETTERS], rnd)).join('');
      plate = `${letters}-${1 + Math.floor(rnd() * 999)}`;
    } while (plates.has(plate));
    plates.add(plate);
    const van = VAN_MODELS[i % VAN_MODELS.length] as (typeof VAN_MODELS)[number];
    const year = 2016 + Math.floor(rnd() * 10);
    const vds = Array.from({ length: 5 }, () => pick([...VIN_CHARS], rnd)).join('');
    const serial = String(100_000 + i * 7919 + Math.floor(rnd() * 7919)).slice(-6);
    const plant = pick([...'ABCDEFGHJKLMNPRSTUVWXYZ'], rnd);
    vehicles.push({
      device: simDeviceName('vehicle', i),
      name: `Van ${String(i + 1).padStart(2, '0')}`,
      plate,
      vinWithoutCheckDigit: `${van.wmi}${vds}0${modelYearCode(year)}${plant}${serial}`,
      make: van.make,
      model: van.model,
      year,
      fuelType: van.fuel,
      tankCapacityL: van.tank,
      department: CREWS[i % CREWS.length] as string,
      homePlace: 'Annankatu depot',
      ...vanStartMeters(i, year),
    });
  }
  const equipment: CompanyEquipment[] = [];
  for (let i = 0; i < size.equipment; i++) {
    const kit = KITS[i % KITS.length] as (typeof KITS)[number];
    const number = Math.floor(i / KITS.length) + 1;
    equipment.push({
      device: simDeviceName('equipment', i),
      name: `${kit.name} ${number}`,
      category: kit.category,
      serialNumber: `${kit.category.slice(0, 2).toUpperCase()}-${String(20_240 + i * 37).padStart(6, '0')}`,
      replacementValue: kit.value,
      department:
        kit.category === 'generator' || kit.category === 'trailer' ? 'Logistics' : crewOf(kit.category),
      homePlace: 'Annankatu depot',
    });
  }
  // One driver per van plus a few spares, so some vans change hands.
  const drivers: CompanyDriver[] = [];
  const names = new Set<string>();
  const driverCount = size.vehicles + Math.ceil(size.vehicles / 5);
  for (let i = 0; i < driverCount; i++) {
    let name: string;
    do name = `${pick(FIRST_NAMES, rnd)} ${pick(LAST_NAMES, rnd)}`;
    while (names.has(name) && names.size < FIRST_NAMES.length * LAST_NAMES.length);
    names.add(name);
    const expiryYear = 2027 + Math.floor(rnd() * 8);
    drivers.push({
      name,
      employeeNumber: `E${String(1001 + i)}`,
      phone: `+35840${String(1_000_000 + Math.floor(rnd() * 8_999_999)).slice(0, 7)}`,
      licenceNumber: `FI${String(10_000_000 + Math.floor(rnd() * 89_999_999))}`,
      licenceClasses: i % 4 === 0 ? ['B', 'BE', 'C1'] : ['B'],
      licenceExpiry: `${expiryYear}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-15`,
      department: i < size.vehicles ? (vehicles[i]?.department ?? 'Logistics') : 'Logistics',
      vehicle: i < size.vehicles ? i : undefined,
      driverCardId: driverCard(i),
    });
  }
  return { departments: DEPARTMENTS, places: PLACES, vehicles, equipment, drivers };
}

function crewOf(category: string): string {
  if (category.startsWith('lighting')) return 'Lighting';
  if (category.startsWith('sound')) return 'Sound';
  if (category.startsWith('camera') || category.startsWith('video')) return 'Video';
  return 'Stage';
}

/** Each demo van among these devices to its driver's card, by device id (FleetPlan.driverCards). */
export function vanDriverCards(devices: readonly { id: string; name: string }[]): Map<string, string> {
  const cards = new Map<string, string>();
  for (const d of devices) {
    const card = driverCardOfVan(d.name);
    if (card !== undefined) cards.set(d.id, card);
  }
  return cards;
}
