// An equipment tag: a battery-powered asset tracker with one sensor, either standing at a site
// (a yard a few metres off the street) or riding along in a vehicle (its position is the
// vehicle's, a metre or two off). Tags report rarely (every minute while carried, every 15 min
// when still) and at once when their sensor or tamper switch changes. They have no ignition and
// no OBD data.
//
// Sensors, one per tag type, on the platform's existing fields:
// - temperature: a cold-chain probe (temperature_c): in a vehicle the reefer unit holds the set
//   point while the engine runs and the load warms towards ambient when it is off; at a site,
//   a cold room at the set point.
// - door: a door contact (door_open): in a vehicle the cargo door opens at each stop with the
//   engine off (unloading); at a site a container door opens now and then in working hours.
// - pto: a power take-off sensor (pto_active): in a vehicle, engaged while it stands with the
//   engine running; at a site, a machine (generator, compressor) runs in spells in working hours.
// Every tag reports its case's tamper switch (tamper) and its battery (battery_v).
//
// The forgotten-kit scenario: a tag riding along is unloaded at a stop and left there while its
// vehicle drives on (FORGOTTEN_KIT); it rides along again once the vehicle stops by it.
import { type CommandMessage, DeviceEventKind } from '@fleet/proto';
import {
  applyCommand,
  type Carrier,
  type DeviceEventSample,
  type DeviceModel,
  type DevicePosition,
  deriveSeed,
  hash01,
  localTimeOfDayS,
  secondKey,
  type TelemetrySample,
  uniform,
} from './device-model.ts';
import { haversineM, mulberry32 } from './roads.ts';
import {
  FLOOD_INTERVAL_S,
  inScheduledWindow,
  type ScenarioName,
  type ScenarioTiming,
  scenarioTiming,
} from './scenarios.ts';

export const EQUIPMENT_TAG_TYPES = ['temperature', 'door', 'pto'] as const;
export type EquipmentTagType = (typeof EQUIPMENT_TAG_TYPES)[number];

export const TAG_FIRMWARE = 'fleet-sim-tag/1.0.0';

/**
 * Report intervals, s: GPS fixes while carried; a heartbeat when still (battery life). A tag
 * wakes on motion and reports once its GPS has a fix on the move, `firstFixS` after it starts
 * moving (a fix taken as the van pulls away would read 0 km/h, and tell the platform the kit
 * still stands where the van was).
 */
export const TAG_REPORT_S = { moving: 60, still: 900, firstFixS: 15 } as const;

/**
 * A tag's battery: a 3.6 V lithium thionyl chloride cell (flat discharge curve), starting at
 * 3.55-3.66 V and losing 0.8 mV a day standing, three times that while carried (GPS fixes every
 * minute): about 0.3 V in a year of standing, the life such tags are sold with.
 */
export const TAG_BATTERY = {
  startV: [3.55, 3.66] as const,
  stillDrainVPerS: 0.0008 / 86_400,
  movingDrainVPerS: 0.0024 / 86_400,
  emptyV: 2.9,
} as const;

/** Sensor behaviour: temperatures, °C, and time constants and spells, s. */
export const TAG_SENSORS = {
  setpointC: 4,
  ambientC: [0, 15] as const,
  /** Reefer pulling down towards the set point (10 min); an insulated box warming when unpowered (4 h). */
  coolTauS: 600,
  warmTauS: 4 * 3600,
  /** Door at a vehicle's stop: opens after 20-90 s, stays open 1-5 min. */
  vehicleDoorDelayS: [20, 90] as const,
  vehicleDoorOpenS: [60, 300] as const,
  /** Door at a site: open 2-10 min, every 1-3 h in working hours. */
  siteDoorOpenS: [120, 600] as const,
  siteDoorGapS: [3600, 10_800] as const,
  /** A site machine: runs 20-90 min, rests 30-120 min, in working hours. */
  sitePtoOnS: [1200, 5400] as const,
  sitePtoOffS: [1800, 7200] as const,
  /** Working hours, local s after midnight. */
  workingHoursS: [7 * 3600, 17 * 3600] as const,
  /** Where a tag sits: 5-25 m from its site's street node; 0.5-3 m from its vehicle's antenna. */
  siteOffsetM: [5, 25] as const,
  rideOffsetM: [0.5, 3] as const,
} as const;

/**
 * Forgotten kit: left at the first stop with the engine off once the scenario is due, after a
 * ride of at least `minRideS` in one go with the vehicle (so the platform has seen them travel
 * together: two fixes a minute apart while moving); picked up when the vehicle next stops
 * within `pickUpM` of it. Once left it reports at once and `followUpS` later, then as a still
 * tag does.
 */
export const FORGOTTEN_KIT = { minRideS: 180, pickUpM: 30, followUpS: 60 } as const;

/** The case's tamper switch trips about once in two years per tag (rare); it latches for 10 min. */
export const TAG_TAMPER = { meanIntervalS: 2 * 365 * 86_400, latchS: 600 } as const;

export interface EquipmentModelOptions {
  seed: number;
  /** Device time at creation, ms since the epoch (working hours, the flood's schedule). */
  startMs: number;
  /** Where the tag stands (it sits 5-25 m off this point); needed unless it rides along. */
  site?: { lat: number; lon: number };
  /** The vehicle it rides in; step the vehicle before the tag, or the tag lags one step. */
  rideAlong?: Carrier;
  /** Default: drawn from the seed. */
  tagType?: EquipmentTagType;
  scenario?: ScenarioName;
  scenarioTiming?: Partial<ScenarioTiming>;
  /** Local time zone, minutes east of UTC (default 120: Helsinki, EET). */
  utcOffsetMin?: number;
  /** Cold-chain set point of a temperature tag, °C (default 4). */
  setpointC?: number;
  /** Outside temperature, °C (default 0-15 from the seed). */
  ambientC?: number;
}

const M_PER_DEG_LAT = 111_320;

/** A battery-powered equipment tag. */
export class EquipmentModel implements DeviceModel {
  readonly kind = 'equipment';
  readonly scenario: ScenarioName;
  readonly tagType: EquipmentTagType;
  readonly carrier: Carrier | undefined;
  readonly startMs: number;

  private readonly seed: number;
  private readonly random: () => number;
  private readonly utcOffsetMin: number;
  private readonly setpointC: number;
  private readonly ambientC: number;
  /** Offset from the site or the vehicle, degrees. */
  private readonly dLat: number;
  private readonly dLon: number;
  private readonly pos: DevicePosition;
  private readonly timing: ScenarioTiming;
  private readonly scenarioFirstS: number;

  private simS = 0;
  private nowMs: number;
  private batteryV: number;
  private temperatureC: number;
  private doorOpen = false;
  private ptoActive = false;
  /** Next sensor change, s since the start (door and PTO schedules). */
  private nextChangeS = Number.POSITIVE_INFINITY;
  private carrierWasStopped = false;
  private nextTamperS: number;
  private tamperUntilS = Number.NEGATIVE_INFINITY;
  private events: DeviceEventSample[] = [];
  private reportSoon = true;
  private intervalOverrideS: number | undefined;
  /** Seconds moving in one go, and whether the first fix on the move is still to be sent. */
  private movingS = 0;
  private fixOnTheMoveDue = false;
  /** Forgotten kit: how long the vehicle has been moving with the tag in it, s, in one go. */
  private rideS = 0;
  /** ... the ride before the vehicle's present stop. */
  private lastRideS = 0;
  /** Forgotten kit: left behind (where it stands is `pos`), and whether that happened already. */
  private left = false;
  private leftOnce = false;
  /** The vehicle has driven off since (only then can it come back for the tag). */
  private carrierGone = false;
  /** Reports still due at FORGOTTEN_KIT.followUpS after being left. */
  private followUps = 0;

  rejectedRecords = 0;

  constructor(o: EquipmentModelOptions) {
    this.seed = o.seed >>> 0;
    this.startMs = o.startMs;
    this.nowMs = o.startMs;
    this.scenario = o.scenario ?? 'normal';
    this.carrier = o.rideAlong;
    this.utcOffsetMin = o.utcOffsetMin ?? 120;
    const random = mulberry32(deriveSeed(o.seed, 0x7a9e0));
    this.random = random;
    const typeDraw = EQUIPMENT_TAG_TYPES[Math.floor(random() * EQUIPMENT_TAG_TYPES.length)] ?? 'temperature';
    this.tagType = o.tagType ?? typeDraw;
    const ambientDraw = uniform(random, TAG_SENSORS.ambientC);
    this.ambientC = o.ambientC ?? ambientDraw;
    this.setpointC = o.setpointC ?? TAG_SENSORS.setpointC;
    this.batteryV = uniform(random, TAG_BATTERY.startV);

    const anchor = o.rideAlong?.position() ?? o.site;
    if (anchor === undefined) throw new Error('an equipment tag needs a site or a vehicle to ride along in');
    const offsetRange = o.rideAlong ? TAG_SENSORS.rideOffsetM : TAG_SENSORS.siteOffsetM;
    const offsetM = uniform(random, offsetRange);
    const angle = random() * 2 * Math.PI;
    this.dLat = (offsetM * Math.cos(angle)) / M_PER_DEG_LAT;
    this.dLon = (offsetM * Math.sin(angle)) / (M_PER_DEG_LAT * Math.cos((anchor.lat * Math.PI) / 180));
    this.pos = {
      lat: anchor.lat + this.dLat,
      lon: anchor.lon + this.dLon,
      speedKmh: 0,
      headingDeg: 0,
      moving: false,
      ignition: undefined,
    };
    // A cold-chain load starts at its set point; everything else at ambient.
    this.temperatureC = this.tagType === 'temperature' ? this.setpointC : this.ambientC;
    this.nextTamperS = -Math.log(1 - random()) * TAG_TAMPER.meanIntervalS;
    if (o.rideAlong === undefined && this.tagType !== 'temperature') {
      this.nextChangeS = this.tagType === 'door' ? uniform(random, [0, 3600]) : uniform(random, [0, 1800]);
    }

    this.timing = scenarioTiming(this.scenario, o.scenarioTiming);
    this.scenarioFirstS = this.timing.startAfterS + this.timing.jitterS * random();
    this.copyCarrier();
    const c = o.rideAlong?.position();
    this.carrierWasStopped = c !== undefined && !c.moving && c.ignition === false;
    this.emit(DeviceEventKind.BOOT, o.startMs, 'power-up', TAG_FIRMWARE);
  }

  step(dtS: number, nowMs: number): void {
    this.nowMs = nowMs;
    if (!(dtS > 0)) return;
    this.simS += dtS;
    if (this.scenario === 'forgotten-kit') this.forgetOrPickUp(dtS);
    const moving = this.copyCarrier();
    if (moving && this.movingS === 0) this.fixOnTheMoveDue = true;
    this.movingS = moving ? this.movingS + dtS : 0;
    this.batteryV = Math.max(
      TAG_BATTERY.emptyV,
      this.batteryV - (moving ? TAG_BATTERY.movingDrainVPerS : TAG_BATTERY.stillDrainVPerS) * dtS,
    );
    switch (this.tagType) {
      case 'temperature':
        this.stepTemperature(dtS);
        break;
      case 'door':
        this.stepDoor(nowMs);
        break;
      case 'pto':
        this.stepPto(nowMs);
        break;
    }
    if (this.simS >= this.nextTamperS) {
      const atMs = nowMs - (this.simS - this.nextTamperS) * 1000;
      this.tamperUntilS = this.nextTamperS + TAG_TAMPER.latchS;
      this.nextTamperS += -Math.log(1 - this.random()) * TAG_TAMPER.meanIntervalS;
      this.emit(DeviceEventKind.TAMPER, atMs, 'case opened');
      this.reportSoon = true;
    }
  }

  reportIntervalS(): number {
    if (this.flooding(this.nowMs)) return FLOOD_INTERVAL_S;
    if (this.reportSoon) return 1;
    if (this.intervalOverrideS !== undefined) return this.intervalOverrideS;
    if (this.followUps > 0) return FORGOTTEN_KIT.followUpS;
    if (!this.pos.moving) return TAG_REPORT_S.still;
    if (this.movingS < TAG_REPORT_S.firstFixS - 1e-9) return TAG_REPORT_S.still;
    return this.fixOnTheMoveDue ? 1 : TAG_REPORT_S.moving;
  }

  sample(nowMs: number): TelemetrySample {
    if (this.pos.moving && this.movingS >= TAG_REPORT_S.firstFixS - 1e-9) this.fixOnTheMoveDue = false;
    if (this.reportSoon) this.reportSoon = false;
    else if (this.followUps > 0) this.followUps -= 1;
    // A tag's small antenna, often indoors or inside a van: 5-10 satellites, HDOP 0.9-2.4.
    const satellites = 5 + Math.floor(hash01(this.seed, Math.floor(nowMs / 60_000) >>> 0) * 6);
    const hdop = 0.9 + (10 - satellites) * 0.2 + hash01(this.seed ^ 0x51, secondKey(nowMs)) * 0.5;
    const p = this.pos;
    const record: TelemetrySample = {
      tsMs: Math.round(nowMs),
      lat: p.lat,
      lon: p.lon,
      speedKmh: Math.round(p.speedKmh * 10) / 10,
      headingDeg: p.headingDeg,
      hdop: Math.round(hdop * 10) / 10,
      satellites,
      batteryV: Math.round(this.batteryV * 1000) / 1000,
      tamper: this.simS < this.tamperUntilS,
    };
    switch (this.tagType) {
      case 'temperature':
        record.temperatureC =
          Math.round((this.temperatureC + (hash01(this.seed ^ 0x7e, secondKey(nowMs)) - 0.5) * 0.4) * 10) /
          10;
        break;
      case 'door':
        record.doorOpen = this.doorOpen;
        break;
      case 'pto':
        record.ptoActive = this.ptoActive;
        break;
    }
    return record;
  }

  drainEvents(_nowMs: number): DeviceEventSample[] {
    if (this.events.length === 0) return [];
    const out = this.events;
    this.events = [];
    return out;
  }

  onCommand(cmd: CommandMessage): string {
    return applyCommand(cmd, {
      reboot: (detail) => this.emit(DeviceEventKind.BOOT, this.nowMs, detail, TAG_FIRMWARE),
      setIntervalOverride: (seconds) => {
        this.intervalOverrideS = seconds;
      },
      reportNow: () => {
        this.reportSoon = true;
      },
      countRejected: (records) => {
        this.rejectedRecords += records;
      },
    });
  }

  position(): Readonly<DevicePosition> {
    return this.pos;
  }

  connectivity(nowMs: number): boolean {
    // Carried, the tag shares its vehicle's coverage; standing, a tunnel is a dead spot on a schedule.
    if (this.carrier !== undefined && !this.left) return this.carrier.connectivity(nowMs);
    return !(this.scenario === 'tunnel' && this.inScenarioWindow(nowMs));
  }

  flooding(nowMs: number): boolean {
    return this.scenario === 'flood' && this.inScenarioWindow(nowMs);
  }

  // -------------------------------------------------------------------------------------------

  private inScenarioWindow(nowMs: number): boolean {
    return inScheduledWindow(this.timing, this.scenarioFirstS, (nowMs - this.startMs) / 1000);
  }

  /** Whether the tag is left behind (the forgotten-kit scenario) now. */
  leftBehind(): boolean {
    return this.left;
  }

  /**
   * The forgotten-kit scenario, before the tag follows its vehicle: left at the first stop with
   * the engine off after the due time that follows a long enough ride; picked up again when the
   * vehicle stops by it.
   */
  private forgetOrPickUp(dtS: number): void {
    const c = this.carrier?.position();
    if (c === undefined) return;
    const stopped = !c.moving && c.ignition === false;
    if (this.left) {
      if (c.moving) this.carrierGone = true;
      else if (
        stopped &&
        this.carrierGone &&
        haversineM(this.pos.lat, this.pos.lon, c.lat, c.lon) <= FORGOTTEN_KIT.pickUpM
      ) {
        this.left = false;
        this.reportSoon = true;
      }
      return;
    }
    if (c.moving) {
      this.rideS += dtS;
      this.lastRideS = this.rideS;
    } else this.rideS = 0;
    if (
      stopped &&
      !this.leftOnce &&
      this.simS >= this.scenarioFirstS &&
      this.lastRideS >= FORGOTTEN_KIT.minRideS
    ) {
      // Unloaded where the vehicle stands (the tag's place in it); it stays there.
      this.copyCarrier();
      this.left = true;
      this.leftOnce = true;
      const p = this.pos;
      p.speedKmh = 0;
      p.moving = false;
      this.reportSoon = true;
      this.followUps = 1;
    }
  }

  /** Follows the vehicle, if any (not while left behind); returns whether the tag is moving. */
  private copyCarrier(): boolean {
    const c = this.carrier;
    if (c === undefined || this.left) return false;
    const v = c.position();
    const p = this.pos;
    p.lat = v.lat + this.dLat;
    p.lon = v.lon + this.dLon;
    p.speedKmh = v.speedKmh;
    p.headingDeg = v.headingDeg;
    p.moving = v.moving;
    return v.moving;
  }

  private stepTemperature(dtS: number): void {
    const c = this.carrier?.position();
    // Carried: the reefer runs off the engine. At a site: a powered cold room. Left behind: neither.
    const powered = this.left ? false : c === undefined || c.ignition === true;
    const target = powered ? this.setpointC : this.ambientC;
    const tau = target < this.temperatureC ? TAG_SENSORS.coolTauS : TAG_SENSORS.warmTauS;
    this.temperatureC = target + (this.temperatureC - target) * Math.exp(-dtS / tau);
  }

  private stepDoor(nowMs: number): void {
    const c = this.carrier?.position();
    if (this.left) {
      if (this.doorOpen) this.setDoor(false, Number.POSITIVE_INFINITY);
      this.carrierWasStopped = false;
      return;
    }
    if (c !== undefined) {
      // A stop with the engine off: unload.
      const stopped = !c.moving && c.ignition === false;
      if (stopped && !this.carrierWasStopped && !this.doorOpen) {
        this.nextChangeS = this.simS + uniform(this.random, TAG_SENSORS.vehicleDoorDelayS);
      }
      this.carrierWasStopped = stopped;
      // Driving off closes any schedule (a door is never open on the move).
      if (!stopped && this.doorOpen) this.setDoor(false, Number.POSITIVE_INFINITY);
      else if (!stopped) this.nextChangeS = Number.POSITIVE_INFINITY;
      while (this.simS >= this.nextChangeS) {
        if (this.doorOpen) this.setDoor(false, Number.POSITIVE_INFINITY);
        else this.setDoor(true, this.nextChangeS + uniform(this.random, TAG_SENSORS.vehicleDoorOpenS));
      }
      return;
    }
    while (this.simS >= this.nextChangeS) {
      const at = this.nextChangeS;
      if (this.doorOpen) this.setDoor(false, at + uniform(this.random, TAG_SENSORS.siteDoorGapS));
      else if (this.workingHours(nowMs - (this.simS - at) * 1000)) {
        this.setDoor(true, at + uniform(this.random, TAG_SENSORS.siteDoorOpenS));
      } else this.nextChangeS = at + uniform(this.random, [1800, 3600]);
    }
  }

  private setDoor(open: boolean, nextChangeS: number): void {
    if (this.doorOpen !== open) this.reportSoon = true;
    this.doorOpen = open;
    this.nextChangeS = nextChangeS;
  }

  private stepPto(nowMs: number): void {
    const c = this.carrier?.position();
    if (c !== undefined) {
      // Standing with the engine running is work for the PTO, unless the engine only idles.
      this.setPto(!this.left && !c.moving && c.ignition === true && c.idleWithoutWork !== true);
      return;
    }
    while (this.simS >= this.nextChangeS) {
      const at = this.nextChangeS;
      if (this.ptoActive) {
        this.setPto(false);
        this.nextChangeS = at + uniform(this.random, TAG_SENSORS.sitePtoOffS);
      } else if (this.workingHours(nowMs - (this.simS - at) * 1000)) {
        this.setPto(true);
        this.nextChangeS = at + uniform(this.random, TAG_SENSORS.sitePtoOnS);
      } else this.nextChangeS = at + uniform(this.random, [1800, 3600]);
    }
  }

  private setPto(on: boolean): void {
    if (this.ptoActive !== on) this.reportSoon = true;
    this.ptoActive = on;
  }

  private workingHours(atMs: number): boolean {
    const tod = localTimeOfDayS(atMs, this.utcOffsetMin);
    return tod >= TAG_SENSORS.workingHoursS[0] && tod < TAG_SENSORS.workingHoursS[1];
  }

  private emit(kind: number, atMs: number, detail: string, firmware?: string): void {
    const p = this.pos;
    this.events.push({
      tsMs: Math.round(atMs),
      kind,
      lat: p.lat,
      lon: p.lon,
      speedKmh: Math.round(p.speedKmh * 10) / 10,
      firmware,
      detail,
    });
  }
}

/** An equipment tag (see EquipmentModel). */
export function createEquipmentModel(options: EquipmentModelOptions): EquipmentModel {
  return new EquipmentModel(options);
}
