import type { DataSourceInstanceSettings, DataSourceRef } from '@grafana/data';
import { type DataSourceSrv, setDataSourceSrv } from '@grafana/runtime';

/** Instance settings of a data source as Grafana lists it to the DataSourcePicker. */
export function dataSource(
  uid: string,
  name: string,
  type: string,
): DataSourceInstanceSettings {
  return {
    uid,
    name,
    type,
    id: 0,
    access: 'proxy',
    readOnly: false,
    jsonData: {},
    meta: {
      id: type,
      name: type,
      type: 'datasource',
      module: '',
      baseUrl: '',
      info: {
        author: { name: 'Grafana Labs' },
        description: '',
        links: [],
        logos: { small: '', large: '' },
        screenshots: [],
        updated: '',
        version: '',
      },
      metrics: true,
    },
  } as unknown as DataSourceInstanceSettings;
}

/**
 * Installs Grafana's data source registry for components that list data sources, with the given
 * instances: it filters by `type` and resolves by uid or name like Grafana's own.
 */
export function installDataSources(list: DataSourceInstanceSettings[]) {
  const find = (ref?: DataSourceRef | string | null) => {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    return list.find(ds => ds.uid === key || ds.name === key);
  };
  const srv: DataSourceSrv = {
    get: async () => {
      throw new Error('not used by these tests');
    },
    getList: filters => {
      const types =
        filters?.type === undefined ? undefined : [filters.type].flat();
      return list.filter(ds => !types || types.includes(ds.type));
    },
    getInstanceSettings: find,
    reload: () => {},
    registerRuntimeDataSource: () => {},
  };
  setDataSourceSrv(srv);
}
