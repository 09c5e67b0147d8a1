/** Store meta key: epoch ms of the last completed `dice index` (changed catalog or not). */
export const META_INDEXED_AT = 'index.at'
