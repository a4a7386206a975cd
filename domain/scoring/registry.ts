import freshProduce from './sheets/fresh-produce.json';
import freshMeatFishEggsMilk from './sheets/fresh-meat-fish-eggs-milk.json';
import riceCereals from './sheets/rice-cereals.json';
import honeyOtherRawFoods from './sheets/honey-other-raw-foods.json';
import fastFood from './sheets/fast-food.json';
import processedRiceCereals from './sheets/processed-rice-cereals.json';
import processedVegetablesFruits from './sheets/processed-vegetables-fruits.json';
import processedMeatFishHoney from './sheets/processed-meat-fish-honey.json';
import saucesFishSauce from './sheets/sauces-fish-sauce.json';
import otherSpices from './sheets/other-spices.json';
import tea from './sheets/tea.json';
import herbalTea from './sheets/herbal-tea.json';
import coffeeCocoa from './sheets/coffee-cocoa.json';
import whiteSpirits from './sheets/white-spirits.json';
import otherAlcoholicDrinks from './sheets/other-alcoholic-drinks.json';
import mineralBottledWater from './sheets/mineral-bottled-water.json';
import otherSoftDrinks from './sheets/other-soft-drinks.json';
import supplementsHerbalMedicines from './sheets/supplements-herbal-medicines.json';
import herbalCosmetics from './sheets/herbal-cosmetics.json';
import essentialOilsOtherHerbs from './sheets/essential-oils-other-herbs.json';
import handicrafts from './sheets/handicrafts.json';
import textilesGarments from './sheets/textiles-garments.json';
import flowers from './sheets/flowers.json';
import ornamentalPlants from './sheets/ornamental-plants.json';
import ornamentalAnimals from './sheets/ornamental-animals.json';
import communityEcoTourism from './sheets/community-eco-tourism.json';

/** The raw JSON of every sheet, keyed by product-set code; parsed and checked on first use by `getSheet`. */
export const SHEET_DATA: Readonly<Record<string, unknown>> = {
  'fresh-produce': freshProduce,
  'fresh-meat-fish-eggs-milk': freshMeatFishEggsMilk,
  'rice-cereals': riceCereals,
  'honey-other-raw-foods': honeyOtherRawFoods,
  'fast-food': fastFood,
  'processed-rice-cereals': processedRiceCereals,
  'processed-vegetables-fruits': processedVegetablesFruits,
  'processed-meat-fish-honey': processedMeatFishHoney,
  'sauces-fish-sauce': saucesFishSauce,
  'other-spices': otherSpices,
  tea: tea,
  'herbal-tea': herbalTea,
  'coffee-cocoa': coffeeCocoa,
  'white-spirits': whiteSpirits,
  'other-alcoholic-drinks': otherAlcoholicDrinks,
  'mineral-bottled-water': mineralBottledWater,
  'other-soft-drinks': otherSoftDrinks,
  'supplements-herbal-medicines': supplementsHerbalMedicines,
  'herbal-cosmetics': herbalCosmetics,
  'essential-oils-other-herbs': essentialOilsOtherHerbs,
  handicrafts: handicrafts,
  'textiles-garments': textilesGarments,
  flowers: flowers,
  'ornamental-plants': ornamentalPlants,
  'ornamental-animals': ornamentalAnimals,
  'community-eco-tourism': communityEcoTourism,
};
