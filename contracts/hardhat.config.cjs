// Hardhat is used only as an in-process EVM for the tests (node --test); compilation is done by
// scripts/compile.mjs with the pinned solc-js. The hardfork matches the pinned evmVersion.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
      allowUnlimitedContractSize: false,
      blockGasLimit: 30_000_000,
    },
  },
};
