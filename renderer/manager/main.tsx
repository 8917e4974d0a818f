import { mount } from '../shared/mount.tsx';
import { ManagerPage } from './Manager.tsx';

mount(<ManagerPage />);
