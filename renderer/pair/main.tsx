import { mount } from '../shared/mount.tsx';
import { PairPage } from './Pair.tsx';

mount(<PairPage />);
