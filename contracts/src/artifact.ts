// GENERATED FILE, do not edit. Regenerate with `npm run build -w contracts` (scripts/export-artifact.ts)
// from contracts/ExamHallCertificate.sol; contracts/test/artifact.test.ts fails when it drifts from the source.

export const solcVersion = '0.8.37';

export const certificateAbi = [
  {
    inputs: [
      {
        internalType: 'string',
        name: 'name_',
        type: 'string',
      },
      {
        internalType: 'string',
        name: 'symbol_',
        type: 'string',
      },
      {
        internalType: 'address',
        name: 'admin',
        type: 'address',
      },
      {
        internalType: 'address',
        name: 'issuer',
        type: 'address',
      },
    ],
    stateMutability: 'nonpayable',
    type: 'constructor',
  },
  {
    inputs: [],
    name: 'AccessControlBadConfirmation',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
      {
        internalType: 'bytes32',
        name: 'neededRole',
        type: 'bytes32',
      },
    ],
    name: 'AccessControlUnauthorizedAccount',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'AlreadyRevoked',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'size',
        type: 'uint256',
      },
      {
        internalType: 'uint256',
        name: 'max',
        type: 'uint256',
      },
    ],
    name: 'BatchTooLarge',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'CertificateAlreadyIssued',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'sender',
        type: 'address',
      },
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
      {
        internalType: 'address',
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'ERC721IncorrectOwner',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'operator',
        type: 'address',
      },
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'ERC721InsufficientApproval',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'approver',
        type: 'address',
      },
    ],
    name: 'ERC721InvalidApprover',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'operator',
        type: 'address',
      },
    ],
    name: 'ERC721InvalidOperator',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'ERC721InvalidOwner',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'receiver',
        type: 'address',
      },
    ],
    name: 'ERC721InvalidReceiver',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'sender',
        type: 'address',
      },
    ],
    name: 'ERC721InvalidSender',
    type: 'error',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'ERC721NonexistentToken',
    type: 'error',
  },
  {
    inputs: [],
    name: 'EmptyBatch',
    type: 'error',
  },
  {
    inputs: [],
    name: 'InvalidReason',
    type: 'error',
  },
  {
    inputs: [],
    name: 'LengthMismatch',
    type: 'error',
  },
  {
    inputs: [],
    name: 'Soulbound',
    type: 'error',
  },
  {
    inputs: [],
    name: 'ZeroMetadataHash',
    type: 'error',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'owner',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'approved',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'Approval',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'owner',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'operator',
        type: 'address',
      },
      {
        indexed: false,
        internalType: 'bool',
        name: 'approved',
        type: 'bool',
      },
    ],
    name: 'ApprovalForAll',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
      {
        indexed: false,
        internalType: 'bytes32',
        name: 'metadataHash',
        type: 'bytes32',
      },
    ],
    name: 'CertificateIssued',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
      {
        indexed: false,
        internalType: 'string',
        name: 'reason',
        type: 'string',
      },
    ],
    name: 'CertificateRevoked',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'Locked',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'previousAdminRole',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'newAdminRole',
        type: 'bytes32',
      },
    ],
    name: 'RoleAdminChanged',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'sender',
        type: 'address',
      },
    ],
    name: 'RoleGranted',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'sender',
        type: 'address',
      },
    ],
    name: 'RoleRevoked',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: true,
        internalType: 'address',
        name: 'from',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
      {
        indexed: true,
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'Transfer',
    type: 'event',
  },
  {
    anonymous: false,
    inputs: [
      {
        indexed: false,
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'Unlocked',
    type: 'event',
  },
  {
    inputs: [],
    name: 'DEFAULT_ADMIN_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'ISSUER_ROLE',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'MAX_BATCH',
    outputs: [
      {
        internalType: 'uint256',
        name: '',
        type: 'uint256',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: '',
        type: 'address',
      },
      {
        internalType: 'uint256',
        name: '',
        type: 'uint256',
      },
    ],
    name: 'approve',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'owner',
        type: 'address',
      },
    ],
    name: 'balanceOf',
    outputs: [
      {
        internalType: 'uint256',
        name: '',
        type: 'uint256',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'certificate',
    outputs: [
      {
        internalType: 'bytes32',
        name: 'metadataHash',
        type: 'bytes32',
      },
      {
        internalType: 'uint64',
        name: 'issuedAt',
        type: 'uint64',
      },
      {
        internalType: 'bool',
        name: 'revoked',
        type: 'bool',
      },
      {
        internalType: 'uint64',
        name: 'revokedAt',
        type: 'uint64',
      },
      {
        internalType: 'string',
        name: 'revocationReason',
        type: 'string',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'exists',
    outputs: [
      {
        internalType: 'bool',
        name: '',
        type: 'bool',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'getApproved',
    outputs: [
      {
        internalType: 'address',
        name: '',
        type: 'address',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
    ],
    name: 'getRoleAdmin',
    outputs: [
      {
        internalType: 'bytes32',
        name: '',
        type: 'bytes32',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
    ],
    name: 'grantRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
    ],
    name: 'hasRole',
    outputs: [
      {
        internalType: 'bool',
        name: '',
        type: 'bool',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'owner',
        type: 'address',
      },
      {
        internalType: 'address',
        name: 'operator',
        type: 'address',
      },
    ],
    name: 'isApprovedForAll',
    outputs: [
      {
        internalType: 'bool',
        name: '',
        type: 'bool',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
      {
        internalType: 'bytes32',
        name: 'metadataHash',
        type: 'bytes32',
      },
    ],
    name: 'issue',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address[]',
        name: 'to',
        type: 'address[]',
      },
      {
        internalType: 'uint256[]',
        name: 'tokenIds',
        type: 'uint256[]',
      },
      {
        internalType: 'bytes32[]',
        name: 'metadataHashes',
        type: 'bytes32[]',
      },
    ],
    name: 'issueBatch',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'locked',
    outputs: [
      {
        internalType: 'bool',
        name: '',
        type: 'bool',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'name',
    outputs: [
      {
        internalType: 'string',
        name: '',
        type: 'string',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'ownerOf',
    outputs: [
      {
        internalType: 'address',
        name: '',
        type: 'address',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'callerConfirmation',
        type: 'address',
      },
    ],
    name: 'renounceRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
      {
        internalType: 'string',
        name: 'reason',
        type: 'string',
      },
    ],
    name: 'revoke',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes32',
        name: 'role',
        type: 'bytes32',
      },
      {
        internalType: 'address',
        name: 'account',
        type: 'address',
      },
    ],
    name: 'revokeRole',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'from',
        type: 'address',
      },
      {
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'safeTransferFrom',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'from',
        type: 'address',
      },
      {
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
      {
        internalType: 'bytes',
        name: 'data',
        type: 'bytes',
      },
    ],
    name: 'safeTransferFrom',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: '',
        type: 'address',
      },
      {
        internalType: 'bool',
        name: '',
        type: 'bool',
      },
    ],
    name: 'setApprovalForAll',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'bytes4',
        name: 'interfaceId',
        type: 'bytes4',
      },
    ],
    name: 'supportsInterface',
    outputs: [
      {
        internalType: 'bool',
        name: '',
        type: 'bool',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [],
    name: 'symbol',
    outputs: [
      {
        internalType: 'string',
        name: '',
        type: 'string',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'tokenURI',
    outputs: [
      {
        internalType: 'string',
        name: '',
        type: 'string',
      },
    ],
    stateMutability: 'view',
    type: 'function',
  },
  {
    inputs: [
      {
        internalType: 'address',
        name: 'from',
        type: 'address',
      },
      {
        internalType: 'address',
        name: 'to',
        type: 'address',
      },
      {
        internalType: 'uint256',
        name: 'tokenId',
        type: 'uint256',
      },
    ],
    name: 'transferFrom',
    outputs: [],
    stateMutability: 'nonpayable',
    type: 'function',
  },
] as const;

export const certificateBytecode =
  '0x608060405234801561000f575f5ffd5b50604051611e17380380611e1783398101604081905261002e916101f1565b83835f61003b8382610305565b5060016100488282610305565b5061005791505f90508361008c565b506100827f114e74f6ea3bd819998f78687bfcb11b140da08e9b7d222fa9c1f1ba1f2aa1228261008c565b50505050506103c3565b5f8281526006602090815260408083206001600160a01b038516845290915281205460ff16610130575f8381526006602090815260408083206001600160a01b03861684529091529020805460ff191660011790556100e83390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a4506001610133565b505f5b92915050565b634e487b7160e01b5f52604160045260245ffd5b5f82601f83011261015c575f5ffd5b81516001600160401b0381111561017557610175610139565b604051601f8201601f19908116603f011681016001600160401b03811182821017156101a3576101a3610139565b6040528181528382016020018510156101ba575f5ffd5b8160208501602083015e5f918101602001919091529392505050565b80516001600160a01b03811681146101ec575f5ffd5b919050565b5f5f5f5f60808587031215610204575f5ffd5b84516001600160401b03811115610219575f5ffd5b6102258782880161014d565b602087015190955090506001600160401b03811115610242575f5ffd5b61024e8782880161014d565b93505061025d604086016101d6565b915061026b606086016101d6565b905092959194509250565b600181811c9082168061028a57607f821691505b6020821081036102a857634e487b7160e01b5f52602260045260245ffd5b50919050565b601f821115610300578282111561030057805f5260205f20601f840160051c60208510156102d957505f5b90810190601f840160051c035f5b818110156102fc575f838201556001016102e7565b5050505b505050565b81516001600160401b0381111561031e5761031e610139565b6103328161032c8454610276565b846102ae565b6020601f821160018114610364575f831561034d5750848201515b5f19600385901b1c1916600184901b1784556103bc565b5f84815260208120601f198516915b828110156103935787850151825560209485019460019092019101610373565b50848210156103b057868401515f19600387901b60f8161c191681555b505060018360011b0184555b5050505050565b611a47806103d05f395ff3fe608060405234801561000f575f5ffd5b50600436106101a1575f3560e01c806382aefa24116100f3578063b45a3c0e11610093578063d547741f1161006e578063d547741f146103aa578063e985e9c5146103bd578063ea3f068d146103d0578063eb929ad5146103e3575f5ffd5b8063b45a3c0e14610371578063b88d4fde14610384578063c87b56dd14610397575f5ffd5b8063950bff9f116100ce578063950bff9f1461034c57806395d89b4114610354578063a217fddf1461035c578063a22cb46514610363575f5ffd5b806382aefa2414610312578063854f75ea1461032657806391d1485414610339575f5ffd5b8063248a9ca31161015e57806342842e0e1161013957806342842e0e146102af5780634f558e79146102c25780636352211e146102ec57806370a08231146102ff575f5ffd5b8063248a9ca3146102595780632f2ff15d1461028957806336568abe1461029c575f5ffd5b806301ffc9a7146101a557806306fdde03146101cd578063081812fc146101e2578063095ea7b31461020d57806316115cf81461022257806323b872dd14610246575b5f5ffd5b6101b86101b336600461139c565b6103f6565b60405190151581526020015b60405180910390f35b6101d5610420565b6040516101c491906113e5565b6101f56101f03660046113f7565b6104af565b6040516001600160a01b0390911681526020016101c4565b61022061021b366004611429565b6104d6565b005b6102356102303660046113f7565b6104ef565b6040516101c4959493929190611451565b61022061025436600461149a565b6105d9565b61027b6102673660046113f7565b5f9081526006602052604090206001015490565b6040519081526020016101c4565b6102206102973660046114d4565b610667565b6102206102aa3660046114d4565b61068b565b6102206102bd36600461149a565b6106c3565b6101b86102d03660046113f7565b5f908152600260205260409020546001600160a01b0316151590565b6101f56102fa3660046113f7565b6106dd565b61027b61030d3660046114fe565b6106e7565b61027b5f5160206119f25f395f51905f5281565b61022061033436600461155e565b61072c565b6101b86103473660046114d4565b61083e565b61027b60c881565b6101d5610868565b61027b5f81565b61022061021b3660046115fa565b6101b861037f3660046113f7565b610877565b610220610392366004611647565b61088a565b6101d56103a53660046113f7565b6108a2565b6102206103b83660046114d4565b610913565b6101b86103cb366004611721565b610937565b6102206103de366004611749565b610964565b6102206103f1366004611779565b610986565b5f6001600160e01b03198216635a2d1e0760e11b148061041a575061041a82610a98565b92915050565b60605f805461042e906117ee565b80601f016020809104026020016040519081016040528092919081815260200182805461045a906117ee565b80156104a55780601f1061047c576101008083540402835291602001916104a5565b820191905f5260205f20905b81548152906001019060200180831161048857829003601f168201915b5050505050905090565b5f6104b982610abc565b505f828152600460205260409020546001600160a01b031661041a565b60405163a4420a9560e01b815260040160405180910390fd5b5f5f5f5f60606104fe86610abc565b505f868152600760205260409020805460018201546002830180546001600160401b038084169360ff600160801b82041693600160401b909104909116918190610547906117ee565b80601f0160208091040260200160405190810160405280929190818152602001828054610573906117ee565b80156105be5780601f10610595576101008083540402835291602001916105be565b820191905f5260205f20905b8154815290600101906020018083116105a157829003601f168201915b50505050509050955095509550955095505091939590929450565b6001600160a01b03821661060757604051633250574960e11b81525f60048201526024015b60405180910390fd5b5f610613838333610af4565b9050836001600160a01b0316816001600160a01b031614610661576040516364283d7b60e01b81526001600160a01b03808616600483015260248201849052821660448201526064016105fe565b50505050565b5f8281526006602052604090206001015461068181610b3c565b6106618383610b49565b6001600160a01b03811633146106b45760405163334bd91960e11b815260040160405180910390fd5b6106be8282610bda565b505050565b6106be83838360405180602001604052805f81525061088a565b5f61041a82610abc565b5f6001600160a01b038216610711576040516322718ad960e21b81525f60048201526024016105fe565b506001600160a01b03165f9081526003602052604090205490565b5f5160206119f25f395f51905f5261074381610b3c565b8584811415806107535750828114155b15610774576040516001621398b960e31b0319815260040160405180910390fd5b805f036107945760405163c2e5347d60e01b815260040160405180910390fd5b60c88111156107c05760405163bb1cb70b60e01b81526004810182905260c860248201526044016105fe565b5f5b818110156108335761082b8989838181106107df576107df611826565b90506020020160208101906107f491906114fe565b88888481811061080657610806611826565b9050602002013587878581811061081f5761081f611826565b90506020020135610c45565b6001016107c2565b505050505050505050565b5f9182526006602090815260408084206001600160a01b0393909316845291905290205460ff1690565b60606001805461042e906117ee565b5f61088182610abc565b50600192915050565b6108958484846105d9565b6106613385858585610d51565b60606108ad82610abc565b505f6108c360408051602081019091525f815290565b90505f8151116108e15760405180602001604052805f81525061090c565b806108eb84610e79565b6040516020016108fc929190611851565b6040516020818303038152906040525b9392505050565b5f8281526006602052604090206001015461092d81610b3c565b6106618383610bda565b6001600160a01b039182165f90815260056020908152604080832093909416825291909152205460ff1690565b5f5160206119f25f395f51905f5261097b81610b3c565b610661848484610c45565b5f5160206119f25f395f51905f5261099d81610b3c565b6109a684610abc565b505f8481526007602052604090206001810154600160801b900460ff16156109e45760405163e80455f560e01b8152600481018690526024016105fe565b828015806109f3575061010081115b15610a11576040516337b89b9360e21b815260040160405180910390fd5b6001820180546001600160401b034216600160401b0270ffffffffffffffffff00000000000000001990911617600160801b17905560028201610a558587836118b3565b50857f65032d3cc955c731f4c2a4178f663dbcc6c08e5163bad5a3149773f3894548d38686604051610a8892919061196c565b60405180910390a2505050505050565b5f6001600160e01b03198216637965db0b60e01b148061041a575061041a82610f08565b5f818152600260205260408120546001600160a01b03168061041a57604051637e27328960e01b8152600481018490526024016105fe565b5f828152600260205260408120546001600160a01b031615610b295760405163a4420a9560e01b815260040160405180910390fd5b610b34848484610f57565b949350505050565b610b468133611049565b50565b5f610b54838361083e565b610bd3575f8381526006602090815260408083206001600160a01b03861684529091529020805460ff19166001179055610b8b3390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a450600161041a565b505f61041a565b5f610be5838361083e565b15610bd3575f8381526006602090815260408083206001600160a01b0386168085529252808320805460ff1916905551339286917ff6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b9190a450600161041a565b80610c635760405163665e81a960e11b815260040160405180910390fd5b5f828152600260205260409020546001600160a01b031615610c9b5760405163316c86ef60e11b8152600481018390526024016105fe565b610ca58383611086565b5f8281526007602090815260409182902083815560018101805467ffffffffffffffff1916426001600160401b031617905591518481527f032bc66be43dbccb7487781d168eb7bda224628a3b2c3388bdf69b532a3a1611910160405180910390a1836001600160a01b0316837fb4a9555bece36e8e71df9f5452191cff849f206d9d0e7996a4d76d8831bf22f684604051610d4391815260200190565b60405180910390a350505050565b6001600160a01b0383163b15610e7257604051630a85bd0160e11b81526001600160a01b0384169063150b7a0290610d9390889088908790879060040161199a565b6020604051808303815f875af1925050508015610dcd575060408051601f3d908101601f19168201909252610dca918101906119d6565b60015b610e34573d808015610dfa576040519150601f19603f3d011682016040523d82523d5f602084013e610dff565b606091505b5080515f03610e2c57604051633250574960e11b81526001600160a01b03851660048201526024016105fe565b805160208201fd5b6001600160e01b03198116630a85bd0160e11b14610e7057604051633250574960e11b81526001600160a01b03851660048201526024016105fe565b505b5050505050565b60605f610e85836110e7565b60010190505f816001600160401b03811115610ea357610ea3611633565b6040519080825280601f01601f191660200182016040528015610ecd576020820181803683370190505b5090508181016020015b5f19016f181899199a1a9b1b9c1cb0b131b232b360811b600a86061a8153600a8504945084610ed757509392505050565b5f6001600160e01b031982166380ac58cd60e01b1480610f3857506001600160e01b03198216635b5e139f60e01b145b8061041a57506301ffc9a760e01b6001600160e01b031983161461041a565b5f828152600260205260408120546001600160a01b0390811690831615610f8357610f838184866111be565b6001600160a01b03811615610fbd57610f9e5f855f5f611222565b6001600160a01b0381165f90815260036020526040902080545f190190555b6001600160a01b03851615610feb576001600160a01b0385165f908152600360205260409020805460010190555b5f8481526002602052604080822080546001600160a01b0319166001600160a01b0389811691821790925591518793918516917fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef91a4949350505050565b611053828261083e565b6110825760405163e2517d3f60e01b81526001600160a01b0382166004820152602481018390526044016105fe565b5050565b6001600160a01b0382166110af57604051633250574960e11b81525f60048201526024016105fe565b5f6110bb83835f610af4565b90506001600160a01b038116156106be576040516339e3563760e11b81525f60048201526024016105fe565b5f8072184f03e93ff9f4daa797ed6e38ed64bf6a1f0160401b83106111255772184f03e93ff9f4daa797ed6e38ed64bf6a1f0160401b830492506040015b6d04ee2d6d415b85acef81000000008310611151576d04ee2d6d415b85acef8100000000830492506020015b662386f26fc10000831061116f57662386f26fc10000830492506010015b6305f5e1008310611187576305f5e100830492506008015b612710831061119b57612710830492506004015b606483106111ad576064830492506002015b600a831061041a5760010192915050565b6111c9838383611326565b6106be576001600160a01b0383166111f757604051637e27328960e01b8152600481018290526024016105fe565b60405163177e802f60e01b81526001600160a01b0383166004820152602481018290526044016105fe565b808061123657506001600160a01b03821615155b156112f7575f61124584610abc565b90506001600160a01b038316158015906112715750826001600160a01b0316816001600160a01b031614155b801561128457506112828184610937565b155b156112ad5760405163a9fbf51f60e01b81526001600160a01b03841660048201526024016105fe565b81156112f55783856001600160a01b0316826001600160a01b03167f8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b92560405160405180910390a45b505b50505f90815260046020526040902080546001600160a01b0319166001600160a01b0392909216919091179055565b5f6001600160a01b03831615801590610b345750826001600160a01b0316846001600160a01b0316148061135f575061135f8484610937565b80610b345750505f908152600460205260409020546001600160a01b03908116911614919050565b6001600160e01b031981168114610b46575f5ffd5b5f602082840312156113ac575f5ffd5b813561090c81611387565b5f81518084528060208401602086015e5f602082860101526020601f19601f83011685010191505092915050565b602081525f61090c60208301846113b7565b5f60208284031215611407575f5ffd5b5035919050565b80356001600160a01b0381168114611424575f5ffd5b919050565b5f5f6040838503121561143a575f5ffd5b6114438361140e565b946020939093013593505050565b8581526001600160401b038516602082015283151560408201526001600160401b038316606082015260a060808201525f61148f60a08301846113b7565b979650505050505050565b5f5f5f606084860312156114ac575f5ffd5b6114b58461140e565b92506114c36020850161140e565b929592945050506040919091013590565b5f5f604083850312156114e5575f5ffd5b823591506114f56020840161140e565b90509250929050565b5f6020828403121561150e575f5ffd5b61090c8261140e565b5f5f83601f840112611527575f5ffd5b5081356001600160401b0381111561153d575f5ffd5b6020830191508360208260051b8501011115611557575f5ffd5b9250929050565b5f5f5f5f5f5f60608789031215611573575f5ffd5b86356001600160401b03811115611588575f5ffd5b61159489828a01611517565b90975095505060208701356001600160401b038111156115b2575f5ffd5b6115be89828a01611517565b90955093505060408701356001600160401b038111156115dc575f5ffd5b6115e889828a01611517565b979a9699509497509295939492505050565b5f5f6040838503121561160b575f5ffd5b6116148361140e565b915060208301358015158114611628575f5ffd5b809150509250929050565b634e487b7160e01b5f52604160045260245ffd5b5f5f5f5f6080858703121561165a575f5ffd5b6116638561140e565b93506116716020860161140e565b92506040850135915060608501356001600160401b03811115611692575f5ffd5b8501601f810187136116a2575f5ffd5b80356001600160401b038111156116bb576116bb611633565b604051601f8201601f19908116603f011681016001600160401b03811182821017156116e9576116e9611633565b604052818152828201602001891015611700575f5ffd5b816020840160208301375f6020838301015280935050505092959194509250565b5f5f60408385031215611732575f5ffd5b61173b8361140e565b91506114f56020840161140e565b5f5f5f6060848603121561175b575f5ffd5b6117648461140e565b95602085013595506040909401359392505050565b5f5f5f6040848603121561178b575f5ffd5b8335925060208401356001600160401b038111156117a7575f5ffd5b8401601f810186136117b7575f5ffd5b80356001600160401b038111156117cc575f5ffd5b8660208284010111156117dd575f5ffd5b939660209190910195509293505050565b600181811c9082168061180257607f821691505b60208210810361182057634e487b7160e01b5f52602260045260245ffd5b50919050565b634e487b7160e01b5f52603260045260245ffd5b5f81518060208401855e5f93019283525090919050565b5f610b3461185f838661183a565b8461183a565b601f8211156106be57828211156106be57805f5260205f20601f840160051c602085101561189057505f5b90810190601f840160051c035f5b81811015610e70575f8382015560010161189e565b6001600160401b038311156118ca576118ca611633565b6118de836118d883546117ee565b83611865565b5f601f84116001811461190f575f85156118f85750838201355b5f19600387901b1c1916600186901b178355610e72565b5f83815260208120601f198716915b8281101561193e578685013582556020948501946001909201910161191e565b508682101561195a575f1960f88860031b161c19848701351681555b505060018560011b0183555050505050565b60208152816020820152818360408301375f818301604090810191909152601f909201601f19160101919050565b6001600160a01b03858116825284166020820152604081018390526080606082018190525f906119cc908301846113b7565b9695505050505050565b5f602082840312156119e6575f5ffd5b815161090c8161138756fe114e74f6ea3bd819998f78687bfcb11b140da08e9b7d222fa9c1f1ba1f2aa122a2646970667358221220d3eafc7b5dd9eae49b3bd6e94d0c69b8658d8fd1ca8413eb83bdf1d83e5292d764736f6c63430008250033';
